package org.cbmir.data;

import java.util.ArrayList;
import java.util.List;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;

/**
 * Slices of a volume with their nodule class and diameter in their {@link org.cbmir.api.SliceRef}, from the
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
    CtVolume v = labelled(source);
    List<CtSlice> out = new ArrayList<>(v.depth());
    for (int k = 0; k < v.depth(); k++) {
      out.add(v.slice(k));
    }
    return out;
  }

  /** Slice {@code k} of the source's volume, labelled where its annotations allow. */
  public static CtSlice slice(DatasetExporter.Source source, int k) {
    return labelled(source).slice(k);
  }

  /**
   * The source's volume with slice labels: as found ({@link DatasetExporter#discover} labels
   * annotated volumes), else from the source's nodules, else unlabelled (every slice unknown).
   */
  public static CtVolume labelled(DatasetExporter.Source source) {
    CtVolume v = source.volume();
    if (v.isLabelled() || source.nodules().isEmpty()) {
      return v;
    }
    return Annotations.label(v, source.nodules());
  }
}
