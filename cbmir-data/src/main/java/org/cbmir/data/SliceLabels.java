package org.cbmir.data;

import java.util.List;
import org.cbmir.api.CtVolume;
import org.cbmir.api.NoduleClass;

/**
 * Labels every slice of a volume with the paper's nodule-diameter class (its Table 2): the class
 * of the largest nodule whose z-range covers the slice, or {@link NoduleClass#NONE}. A slice that
 * no nodule covers but that lies within {@code marginMm} of one is excluded ({@code null}): such a
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
    double halfSlice = volume.depth() > 1 ? (volume.zMm(1) - volume.zMm(0)) / 2 : 0.5;
    for (int k = 0; k < out.length; k++) {
      double z = volume.zMm(k);
      double largest = 0;
      boolean near = false;
      for (Nodule n : nodules) {
        // A slice covers the nodule when its slab [z - t/2, z + t/2] meets the nodule's z-range.
        if (z + halfSlice >= n.zMinMm() && z - halfSlice <= n.zMaxMm()) {
          largest = Math.max(largest, n.diameterMm());
        } else if (z >= n.zMinMm() - marginMm && z <= n.zMaxMm() + marginMm) {
          near = true;
        }
      }
      out[k] = largest > 0 ? NoduleClass.ofDiameterMm(largest) : near ? null : NoduleClass.NONE;
    }
    return out;
  }

  /** Largest covering nodule diameter per slice (0 for none), with the same coverage rule. */
  public static double[] diameters(CtVolume volume, List<Nodule> nodules) {
    double[] out = new double[volume.depth()];
    double halfSlice = volume.depth() > 1 ? (volume.zMm(1) - volume.zMm(0)) / 2 : 0.5;
    for (int k = 0; k < out.length; k++) {
      double z = volume.zMm(k);
      for (Nodule n : nodules) {
        if (z + halfSlice >= n.zMinMm() && z - halfSlice <= n.zMaxMm()) {
          out[k] = Math.max(out[k], n.diameterMm());
        }
      }
    }
    return out;
  }
}
