package org.cbmir.examples;

import java.util.ArrayList;
import java.util.List;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.Segmenter;
import org.cbmir.api.VolumeReader;
import org.cbmir.data.DatasetExporter;
import org.cbmir.data.LabelledSlices;

/**
 * Builds an index of every slice of some volumes, labelled by {@link LabelledSlices} (so results
 * can be judged), segmenting and encoding in batches of 8.
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
      int depth = s.volume().depth();
      for (int k = 0; k < depth; k += 8) {
        List<CtSlice> batch = new ArrayList<>();
        for (int j = k; j < Math.min(depth, k + 8); j++) {
          batch.add(LabelledSlices.slice(s, j));
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
}
