package org.cbmir.data;

import java.util.ArrayList;
import java.util.List;
import org.cbmir.api.CtVolume;
import org.cbmir.api.NoduleClass;

/**
 * Labels every slice of a volume with the paper's nodule-diameter class (its Table 2): the class of
 * the largest nodule whose z-range covers the slice, or {@link NoduleClass#NONE}. A slice that no
 * nodule covers but that lies within {@code marginMm} of one is excluded ({@code null}): such a
 * slice often still shows the nodule's partial-volume edge, so calling it "no nodule" would teach
 * the encoder a wrong label.
 *
 * <p>Thread-safety: stateless; all methods are thread-safe.
 */
public final class SliceLabels {
  /** Default exclusion margin around a nodule's z-range. */
  public static final double DEFAULT_MARGIN_MM = 5.0;

  private SliceLabels() {}

  /** Labels for each slice; {@code null} marks an excluded slice. */
  public static NoduleClass[] label(CtVolume volume, List<Nodule> nodules, double marginMm) {
    if (!(marginMm >= 0)) {
      throw new IllegalArgumentException("margin must be >= 0 mm, got " + marginMm);
    }
    NoduleClass[] out = new NoduleClass[volume.depth()];
    for (int k = 0; k < out.length; k++) {
      Nodule largest = covering(volume, k, nodules);
      double z = volume.zMm(k);
      boolean near = false;
      for (Nodule n : nodules) {
        near |= z >= n.zMinMm() - marginMm && z <= n.zMaxMm() + marginMm;
      }
      out[k] =
          largest != null
              ? NoduleClass.ofDiameterMm(largest.diameterMm())
              : near ? null : NoduleClass.NONE;
    }
    return out;
  }

  /**
   * The largest nodule that slice {@code k} covers, or null: a slice covers a nodule when its slab
   * {@code [z - t/2, z + t/2]} meets the nodule's z-range. The one rule behind {@link #label} and
   * {@link #diameters}.
   */
  public static Nodule covering(CtVolume volume, int k, List<Nodule> nodules) {
    Nodule best = null;
    for (Nodule n : coveringAll(volume, k, nodules)) {
      if (best == null || n.diameterMm() > best.diameterMm()) {
        best = n;
      }
    }
    return best;
  }

  /** Every nodule that slice {@code k} covers, by the rule of {@link #covering}, in list order. */
  public static List<Nodule> coveringAll(CtVolume volume, int k, List<Nodule> nodules) {
    double halfSlice = volume.depth() > 1 ? (volume.zMm(1) - volume.zMm(0)) / 2 : 0.5;
    double z = volume.zMm(k);
    List<Nodule> out = new ArrayList<>();
    for (Nodule n : nodules) {
      if (z + halfSlice >= n.zMinMm() && z - halfSlice <= n.zMaxMm()) {
        out.add(n);
      }
    }
    return out;
  }

  /** Largest covering nodule diameter per slice (0 for none), with the same coverage rule. */
  public static double[] diameters(CtVolume volume, List<Nodule> nodules) {
    double[] out = new double[volume.depth()];
    for (int k = 0; k < out.length; k++) {
      Nodule n = covering(volume, k, nodules);
      out[k] = n == null ? 0 : n.diameterMm();
    }
    return out;
  }
}
