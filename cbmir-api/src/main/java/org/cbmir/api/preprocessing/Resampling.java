package org.cbmir.api.preprocessing;

import java.util.stream.IntStream;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;

/**
 * Resamples CT slices and volumes to a given spacing with (bi/tri)linear interpolation, the way the
 * paper brings scans from different scanners to 1 mm voxels.
 *
 * <p>The retrieval pipeline resamples in-plane only and keeps each scan's own slices: a hit must
 * point at a real slice of the archive that a radiologist can open, which an interpolated slice is
 * not. {@link #resampleVolume} also resamples along z, for training data and for tools that want
 * isotropic voxels as the paper does.
 *
 * <p>Thread-safety: stateless; all methods are thread-safe. {@link #resampleVolume} spreads its
 * slices over the common fork-join pool.
 */
public final class Resampling {
  private Resampling() {}

  /**
   * The slice resampled in-plane to {@code spacingMm} in both directions, covering the same field
   * of view (the output size is the input extent divided by the new spacing, rounded).
   *
   * @throws IllegalArgumentException if the spacing is not a positive finite number
   */
  public static CtSlice resampleSlice(CtSlice slice, double spacingMm) {
    checkSpacing(spacingMm);
    int w = slice.width();
    int h = slice.height();
    int ow = Math.max(1, (int) Math.round(w * slice.columnSpacingMm() / spacingMm));
    int oh = Math.max(1, (int) Math.round(h * slice.rowSpacingMm() / spacingMm));
    float[] src = slice.hu();
    float[] dst = new float[ow * oh];
    resample2d(src, w, h, dst, ow, oh, 0);
    return CtSlice.builder()
        .size(ow, oh)
        .hu(dst)
        .pixelSpacingMm(slice.rowSpacingMm() * h / oh, slice.columnSpacingMm() * w / ow)
        .ref(slice.ref().orElse(null))
        .build();
  }

  /**
   * The volume resampled to {@code inPlaneMm} in-plane and {@code zMm} between slices, from its
   * first to its last slice position.
   *
   * @throws IllegalArgumentException if a spacing is not a positive finite number
   */
  public static CtVolume resampleVolume(CtVolume volume, double inPlaneMm, double zMm) {
    checkSpacing(inPlaneMm);
    checkSpacing(zMm);
    int w = volume.width();
    int h = volume.height();
    int d = volume.depth();
    int ow = Math.max(1, (int) Math.round(w * volume.columnSpacingMm() / inPlaneMm));
    int oh = Math.max(1, (int) Math.round(h * volume.rowSpacingMm() / inPlaneMm));
    double[] z = volume.zPositionsMm();
    int od = d == 1 ? 1 : (int) Math.floor((z[d - 1] - z[0]) / zMm + 1e-9) + 1;
    int plane = ow * oh;
    // In-plane first (d slices), then along z between the two nearest resampled slices.
    // Slices are independent: both passes run on the common pool, a slice per task.
    float[] inPlane = new float[plane * d];
    IntStream.range(0, d)
        .parallel()
        .forEach(
            k -> {
              float[] srcSlice = new float[w * h];
              volume.copySliceInto(k, srcSlice, 0);
              resample2d(srcSlice, w, h, inPlane, ow, oh, k * plane);
            });
    float[] out = new float[plane * od];
    double[] oz = new double[od];
    for (int j = 0; j < od; j++) {
      oz[j] = z[0] + j * zMm;
    }
    IntStream.range(0, od)
        .parallel()
        .forEach(
            j -> {
              double zj = oz[j];
              int k0 = 0;
              while (k0 + 1 < d - 1 && z[k0 + 1] <= zj) {
                k0++;
              }
              int k1 = Math.min(d - 1, k0 + 1);
              double t = k1 == k0 ? 0 : Math.min(1, Math.max(0, (zj - z[k0]) / (z[k1] - z[k0])));
              float a = (float) (1 - t);
              float b = (float) t;
              int s0 = k0 * plane;
              int s1 = k1 * plane;
              int o = j * plane;
              for (int i = 0; i < plane; i++) {
                out[o + i] = a * inPlane[s0 + i] + b * inPlane[s1 + i];
              }
            });
    double[] origin = volume.originMm();
    return CtVolume.builder()
        .size(ow, oh)
        .hu(out)
        .pixelSpacingMm(volume.rowSpacingMm() * h / oh, volume.columnSpacingMm() * w / ow)
        .zPositionsMm(oz)
        .originMm(origin[0], origin[1], origin[2])
        .ids(volume.patientId(), volume.studyUid(), volume.seriesUid())
        .build();
  }

  /**
   * Bilinear resampling with pixel centres aligned (the output pixel {@code i} samples the input at
   * {@code (i + 0.5) * in / out - 0.5}), edges clamped.
   */
  static void resample2d(float[] src, int w, int h, float[] dst, int ow, int oh, int dstOffset) {
    double sx = (double) w / ow;
    double sy = (double) h / oh;
    int[] x0 = new int[ow];
    int[] x1 = new int[ow];
    float[] fx = new float[ow];
    for (int x = 0; x < ow; x++) {
      double p = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      x0[x] = (int) p;
      x1[x] = Math.min(w - 1, x0[x] + 1);
      fx[x] = (float) (p - x0[x]);
    }
    for (int y = 0; y < oh; y++) {
      double p = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
      int y0 = (int) p;
      int y1 = Math.min(h - 1, y0 + 1);
      float fy = (float) (p - y0);
      int r0 = y0 * w;
      int r1 = y1 * w;
      int o = dstOffset + y * ow;
      for (int x = 0; x < ow; x++) {
        float top = src[r0 + x0[x]] + fx[x] * (src[r0 + x1[x]] - src[r0 + x0[x]]);
        float bottom = src[r1 + x0[x]] + fx[x] * (src[r1 + x1[x]] - src[r1 + x0[x]]);
        dst[o + x] = top + fy * (bottom - top);
      }
    }
  }

  private static void checkSpacing(double mm) {
    if (!(mm > 0) || Double.isInfinite(mm)) {
      throw new IllegalArgumentException(
          "spacing must be a positive finite number of mm, got " + mm);
    }
  }
}
