package org.cbmir.examples;

import java.util.ArrayList;
import java.util.List;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.Segmenter;
import org.cbmir.api.SliceRef;
import org.cbmir.api.VolumeReader;
import org.cbmir.data.DatasetExporter;
import org.cbmir.data.SliceLabels;

/**
 * Builds an index of every slice of some volumes, with each slice's nodule class and diameter
 * where the volume has annotations (so results can be judged), segmenting and encoding in
 * batches of 8.
 *
 * <p>Thread-safety: stateless.
 */
final class LabelledIndex {
  private LabelledIndex() {}

  static RetrievalIndex build(List<DatasetExporter.Source> sources, Segmenter seg, Encoder enc,
      VolumeReader.ReadListener progress) {
    RetrievalIndex index = RetrievalIndexes.create(IndexConfig.builder().matching(enc).build());
    int total = sources.stream().mapToInt(s -> s.volume().depth()).sum();
    int done = 0;
    for (DatasetExporter.Source s : sources) {
      CtVolume v = s.volume();
      NoduleClass[] labels = SliceLabels.label(v, s.nodules(), SliceLabels.DEFAULT_MARGIN_MM);
      double[] diameters = SliceLabels.diameters(v, s.nodules());
      boolean annotated = !s.nodules().isEmpty();
      for (int k = 0; k < v.depth(); k += 8) {
        List<CtSlice> batch = new ArrayList<>();
        for (int j = k; j < Math.min(v.depth(), k + 8); j++) {
          batch.add(labelled(v, j, annotated ? labels[j] : null, diameters[j]));
        }
        List<Embedding> e = enc.encodeAll(batch, seg.segmentAll(batch));
        for (int j = 0; j < batch.size(); j++) {
          index.add(batch.get(j).ref(), e.get(j));
        }
        done += batch.size();
        progress.progress(done, total);
      }
    }
    return index;
  }

  /** Slice {@code k} with its class and diameter in its reference, when known. */
  static CtSlice labelled(CtVolume v, int k, NoduleClass label, double diameterMm) {
    CtSlice slice = v.slice(k);
    SliceRef.Builder ref = slice.ref().toBuilder();
    if (label != null) {
      ref.noduleClass(label).noduleDiameterMm(diameterMm);
    }
    return slice.toBuilder().ref(ref.build()).build();
  }
}
