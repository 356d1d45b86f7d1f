package org.cbmir.data;

import java.util.ArrayList;
import java.util.List;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SliceRef;

/**
 * Slices of a volume with their nodule class and diameter in their {@link SliceRef}, from the
 * volume's annotations (LIDC XML reads or LUNA16 rows, as {@link DatasetExporter#discover} finds
 * them) by the paper's rule ({@link SliceLabels}): so that an index built from them can say of
 * each hit what it shows, and an evaluation can judge it. A volume without annotations gives
 * slices of unknown class; a slice near a nodule but outside it (within the exclusion margin) also
 * stays unknown rather than being called nodule-free.
 *
 * <pre>{@code
 * for (DatasetExporter.Source s : DatasetExporter.discover(root, listener)) {
 *   List<CtSlice> slices = LabelledSlices.of(s);
 * }
 * }</pre>
 *
 * <p>Thread-safety: stateless.
 */
public final class LabelledSlices {
  private LabelledSlices() {}

  /**
   * Every slice of the source's volume, labelled where its annotations allow. Each slice is a
   * copy of its pixels: for long series, take them a few at a time with {@link #slice(
   * DatasetExporter.Source, int)}.
   */
  public static List<CtSlice> of(DatasetExporter.Source source) {
    CtVolume v = source.volume();
    boolean annotated = !source.nodules().isEmpty();
    NoduleClass[] labels = SliceLabels.label(v, source.nodules(), SliceLabels.DEFAULT_MARGIN_MM);
    double[] diameters = SliceLabels.diameters(v, source.nodules());
    List<CtSlice> out = new ArrayList<>(v.depth());
    for (int k = 0; k < v.depth(); k++) {
      out.add(slice(v, k, annotated ? labels[k] : null, diameters[k]));
    }
    return out;
  }

  /** Slice {@code k} of the source's volume, labelled where its annotations allow. */
  public static CtSlice slice(DatasetExporter.Source source, int k) {
    CtVolume v = source.volume();
    if (source.nodules().isEmpty()) {
      return slice(v, k, null, 0);
    }
    NoduleClass label = SliceLabels.label(v, source.nodules(), SliceLabels.DEFAULT_MARGIN_MM)[k];
    return slice(v, k, label, SliceLabels.diameters(v, source.nodules())[k]);
  }

  /** Slice {@code k} with {@code label} and its diameter in its reference; null: unknown. */
  public static CtSlice slice(CtVolume v, int k, NoduleClass label, double diameterMm) {
    CtSlice slice = v.slice(k);
    SliceRef.Builder ref = slice.ref().toBuilder();
    if (label != null) {
      ref.noduleClass(label).noduleDiameterMm(diameterMm);
    }
    return slice.toBuilder().ref(ref.build()).build();
  }
}
