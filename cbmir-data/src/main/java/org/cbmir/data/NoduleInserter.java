package org.cbmir.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.LungMask;
import org.cbmir.api.SliceRef;
import org.cbmir.api.preprocessing.ThresholdLungMask;

/**
 * Inserts synthetic nodules into real CT so that every diameter class has enough examples.
 *
 * <p>How a nodule is made: a sphere (optionally lobulated: its radius varies with the in-plane
 * angle as {@code r (1 + a sin(3θ + φ1) + a/2 sin(5θ + φ2) + a/3 sin(7θ + φ3))}) is cut by every
 * slice it reaches, so adjacent slices show consistent, shrinking cross-sections. Inside, the HU
 * profile falls from the core value (default +40 HU, solid nodule) by up to 60 HU towards the rim;
 * the edge is blended over one and a half pixels with the tissue behind it (partial volume).
 * Gaussian noise with the standard deviation measured in the parenchyma around the position (median
 * absolute deviation, so vessels do not inflate it) is added inside, so the nodule is as noisy as
 * its surroundings. Positions are drawn at random inside the threshold lung mask, at least one
 * radius plus 2 mm from its edge on the centre slice and with lung under the centre on the first
 * and last slices covered; nodules never overlap.
 *
 * <pre>{@code
 * NoduleInserter.Result r = new NoduleInserter(42).insert(volume, List.of(4.0, 7.5, 15.0));
 * }</pre>
 *
 * <p>Thread-safety: not thread-safe (it owns a random generator); use one per thread.
 */
public final class NoduleInserter {
  private final Random rnd;
  private double lobulation = 0.15;
  private float coreHu = 40;

  /** A volume with nodules inserted, and those nodules. Thread-safety: immutable. */
  public record Result(CtVolume volume, List<Nodule> nodules) {}

  /** An inserter whose positions and shapes follow the seed. */
  public NoduleInserter(long seed) {
    this.rnd = new Random(seed);
  }

  /** Maximum relative radius variation of lobulated nodules, 0 for spheres (default 0.15). */
  public NoduleInserter lobulation(double amplitude) {
    if (!(amplitude >= 0 && amplitude < 0.5)) {
      throw new IllegalArgumentException("lobulation must be in [0, 0.5), got " + amplitude);
    }
    this.lobulation = amplitude;
    return this;
  }

  /** HU at the nodule's core (default +40). */
  public NoduleInserter coreHu(float hu) {
    this.coreHu = hu;
    return this;
  }

  /**
   * Inserts one nodule per diameter.
   *
   * @throws IllegalArgumentException if a diameter is not positive, or no lung region of the volume
   *     can hold one of the nodules
   */
  public Result insert(CtVolume volume, List<Double> diametersMm) {
    int w = volume.width();
    int h = volume.height();
    int n = w * h;
    int d = volume.depth();
    float[] hu = new float[n * d];
    for (int k = 0; k < d; k++) {
      volume.copySliceInto(k, hu, k * n);
    }
    LungMask[] masks = new LungMask[d];
    List<Nodule> placed = new ArrayList<>();
    double[] origin = volume.originMm();
    for (double diameter : diametersMm) {
      if (!(diameter > 0) || Double.isInfinite(diameter)) {
        throw new IllegalArgumentException("nodule diameter must be > 0 mm, got " + diameter);
      }
      double r = diameter / 2;
      Nodule nodule = null;
      for (int attempt = 0; attempt < 300 && nodule == null; attempt++) {
        int k = d == 1 ? 0 : (int) (d * (0.2 + 0.6 * rnd.nextDouble()));
        LungMask mask = mask(masks, volume, k);
        if (mask.area() < 50) {
          continue;
        }
        int x = rnd.nextInt(w);
        int y = rnd.nextInt(h);
        if (!mask.isLung(x, y)) {
          continue;
        }
        double cx = origin[0] + x * volume.columnSpacingMm();
        double cy = origin[1] + y * volume.rowSpacingMm();
        double cz = volume.zMm(k);
        if (!fits(mask, x, y, (r + 2) / volume.columnSpacingMm(), (r + 2) / volume.rowSpacingMm())
            || overlaps(placed, cx, cy, cz, r)
            || !lungAt(masks, volume, x, y, cz - r * 0.7)
            || !lungAt(masks, volume, x, y, cz + r * 0.7)) {
          continue;
        }
        nodule = Nodule.sphere(volume.seriesUid(), cx, cy, cz, diameter, 1, "inserted");
        float sigma = parenchymaNoise(hu, k * n, mask, x, y, w, h, r, volume);
        double[] shape = {
          lobulation * (0.3 + 0.7 * rnd.nextDouble()),
          rnd.nextDouble() * 2 * Math.PI,
          rnd.nextDouble() * 2 * Math.PI,
          rnd.nextDouble() * 2 * Math.PI
        };
        for (int s = 0; s < d; s++) {
          paintSphere(
              hu,
              s * n,
              w,
              h,
              volume.rowSpacingMm(),
              volume.columnSpacingMm(),
              origin[0],
              origin[1],
              volume.zMm(s),
              cx,
              cy,
              cz,
              diameter,
              coreHu,
              shape,
              sigma,
              rnd);
        }
      }
      if (nodule == null) {
        throw new IllegalArgumentException(
            "no lung region of series "
                + volume.seriesUid()
                + " can hold a "
                + diameter
                + " mm nodule");
      }
      placed.add(nodule);
    }
    CtVolume out =
        CtVolume.builder()
            .size(w, h)
            .hu(hu)
            .pixelSpacingMm(volume.rowSpacingMm(), volume.columnSpacingMm())
            .zPositionsMm(volume.zPositionsMm())
            .originMm(origin[0], origin[1], origin[2])
            .ids(volume.patientId(), volume.studyUid(), volume.seriesUid())
            .build();
    return new Result(out, List.copyOf(placed));
  }

  private static LungMask mask(LungMask[] cache, CtVolume v, int k) {
    if (cache[k] == null) {
      cache[k] = ThresholdLungMask.DEFAULT.segment(v.slice(k));
    }
    return cache[k];
  }

  private static boolean lungAt(LungMask[] cache, CtVolume v, int x, int y, double z) {
    if (v.depth() == 1) {
      return true;
    }
    int best = 0;
    for (int k = 1; k < v.depth(); k++) {
      if (Math.abs(v.zMm(k) - z) < Math.abs(v.zMm(best) - z)) {
        best = k;
      }
    }
    return mask(cache, v, best).isLung(x, y);
  }

  private static boolean fits(LungMask m, int x, int y, double rx, double ry) {
    int ix = (int) Math.ceil(rx);
    int iy = (int) Math.ceil(ry);
    for (int dy = -iy; dy <= iy; dy++) {
      for (int dx = -ix; dx <= ix; dx++) {
        if ((double) dx * dx / (rx * rx) + (double) dy * dy / (ry * ry) > 1) {
          continue;
        }
        int px = x + dx;
        int py = y + dy;
        if (px < 0 || py < 0 || px >= m.width() || py >= m.height() || !m.isLung(px, py)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean overlaps(List<Nodule> placed, double x, double y, double z, double r) {
    for (Nodule o : placed) {
      double dist =
          Math.sqrt(
              (o.xMm() - x) * (o.xMm() - x)
                  + (o.yMm() - y) * (o.yMm() - y)
                  + (o.zMm() - z) * (o.zMm() - z));
      if (dist < r + o.diameterMm() / 2 + 5) {
        return true;
      }
    }
    return false;
  }

  /** Robust noise level of the lung pixels in a ring around the position. */
  private static float parenchymaNoise(
      float[] hu, int off, LungMask mask, int x, int y, int w, int h, double r, CtVolume v) {
    double outer = r + 10;
    int ix = (int) Math.ceil(outer / v.columnSpacingMm());
    int iy = (int) Math.ceil(outer / v.rowSpacingMm());
    float[] vals = new float[(2 * ix + 1) * (2 * iy + 1)];
    int n = 0;
    for (int dy = -iy; dy <= iy; dy++) {
      for (int dx = -ix; dx <= ix; dx++) {
        int px = x + dx;
        int py = y + dy;
        double dist = Math.hypot(dx * v.columnSpacingMm(), dy * v.rowSpacingMm());
        if (px >= 0
            && py >= 0
            && px < w
            && py < h
            && dist > r
            && dist <= outer
            && mask.isLung(px, py)) {
          vals[n++] = hu[off + py * w + px];
        }
      }
    }
    if (n < 10) {
      return 20;
    }
    float[] s = Arrays.copyOf(vals, n);
    Arrays.sort(s);
    float median = s[n / 2];
    for (int i = 0; i < n; i++) {
      s[i] = Math.abs(s[i] - median);
    }
    Arrays.sort(s);
    return (float) Math.min(200, 1.4826 * s[n / 2]);
  }

  /**
   * Paints the cross-section of a (lobulated) sphere on one slice, blending its edge over one and a
   * half pixels. {@code shape} is {lobulation amplitude, three phases} or {@code null} for a plain
   * sphere.
   */
  static void paintSphere(
      float[] hu,
      int off,
      int w,
      int h,
      double rowSp,
      double colSp,
      double originX,
      double originY,
      double z,
      double cx,
      double cy,
      double cz,
      double diameter,
      float coreHu,
      double[] shape,
      float noiseSigma,
      Random rnd) {
    double r = diameter / 2;
    double dz = z - cz;
    if (Math.abs(dz) >= r) {
      return;
    }
    double rp = Math.sqrt(r * r - dz * dz);
    double amp = shape == null ? 0 : shape[0];
    double reach = rp * (1 + 2 * amp) + 2 * Math.max(rowSp, colSp);
    int x0 = Math.max(0, (int) Math.floor((cx - reach - originX) / colSp));
    int x1 = Math.min(w - 1, (int) Math.ceil((cx + reach - originX) / colSp));
    int y0 = Math.max(0, (int) Math.floor((cy - reach - originY) / rowSp));
    int y1 = Math.min(h - 1, (int) Math.ceil((cy + reach - originY) / rowSp));
    double pixel = Math.min(rowSp, colSp);
    for (int y = y0; y <= y1; y++) {
      double py = originY + y * rowSp - cy;
      for (int x = x0; x <= x1; x++) {
        double px = originX + x * colSp - cx;
        double dist = Math.hypot(px, py);
        double rl = rp;
        if (amp > 0) {
          double t = Math.atan2(py, px);
          rl =
              rp
                  * (1
                      + amp
                          * (Math.sin(3 * t + shape[1])
                              + Math.sin(5 * t + shape[2]) / 2
                              + Math.sin(7 * t + shape[3]) / 3));
        }
        double weight = Math.min(1, Math.max(0, (rl - dist) / (1.5 * pixel) + 0.5));
        if (weight <= 0) {
          continue;
        }
        double radial = Math.min(1, Math.sqrt(dist * dist + dz * dz) / r);
        double value =
            coreHu - 60 * radial * radial + (noiseSigma > 0 ? rnd.nextGaussian() * noiseSigma : 0);
        int i = off + y * w + x;
        hu[i] = (float) (hu[i] * (1 - weight) + value * weight);
      }
    }
  }

  /** Convenience for one slice: the same insertion on a single-slice volume. */
  public CtSlice insert(CtSlice slice, double diameterMm) {
    CtVolume v =
        CtVolume.builder()
            .size(slice.width(), slice.height())
            .hu(slice.hu())
            .pixelSpacingMm(slice.rowSpacingMm(), slice.columnSpacingMm())
            .zPositionsMm(new double[] {0})
            .ids(
                slice.ref().map(SliceRef::patientId).orElse("query"),
                "",
                slice.ref().map(SliceRef::seriesUid).orElse("query"))
            .build();
    return insert(v, List.of(diameterMm)).volume().slice(0);
  }
}
