package org.cbmir.data;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Random;
import org.cbmir.api.CtSlice;
import org.cbmir.api.LungMask;

/**
 * Transplants real nodules (from {@link NoduleCrops}) into the lungs of other CT slices: real
 * nodule appearance, which synthetic spheres lack, on backgrounds of other patients.
 *
 * <p>How: the nodule is cut out of its crop as the connected region above {@value #THRESHOLD_HU} HU
 * that contains the brightest pixel near the crop's centre, limited to a disc of half the major
 * axis plus 1.5 mm (so that a vessel or the chest wall touching the nodule stays behind); a nodule
 * fainter than the threshold (ground glass) is taken as a disc of its diameter. The cut is
 * feathered over one pixel (partial volume), resampled bilinearly to the target's pixel spacing
 * (optionally scaled, rotated and mirrored; the patch's diameter follows the scale), and blended:
 * {@code out = background (1 - alpha) + nodule alpha}, so that the nodule keeps its own texture and
 * noise and the parenchyma around it is the target's. Positions are drawn inside the target's lung
 * mask such that the whole patch lies in lung.
 *
 * <pre>{@code
 * NoduleTransplanter t = new NoduleTransplanter(7);
 * NoduleTransplanter.Patch p = t.patch(crop, slice.rowSpacingMm(), true);
 * int[] at = t.place(mask, p);                       // null when the lung has no room
 * CtSlice withNodule = NoduleTransplanter.paste(slice, p, at[0], at[1]);
 * }</pre>
 *
 * <p>Thread-safety: not thread-safe (it owns a random generator); use one per thread.
 */
public final class NoduleTransplanter {
  /** HU above which crop pixels count as nodule. */
  public static final int THRESHOLD_HU = -550;

  private final Random rnd;

  /**
   * A nodule ready to paste: {@code size * size} HU and blending weights at one pixel spacing.
   * Thread-safety: immutable by convention (arrays are not copied; do not modify them).
   */
  @SuppressWarnings(
      "ArrayRecordComponent") // pixels, never compared; copying them would double the memory
  public record Patch(
      int size,
      float[] hu,
      float[] alpha,
      double spacingMm,
      double diameterMm,
      NoduleCrops.Crop source) {
    /**
     * The patch centred in a {@code side x side} record of two planes, HU then blending weight,
     * padded with air and weight 0 (cut where the patch is larger): the training records.
     */
    public float[] centredIn(int side) {
      float[] rec = new float[2 * side * side];
      Arrays.fill(rec, 0, side * side, -1000f);
      int off = (side - size) / 2;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int ty = y + off;
          int tx = x + off;
          if (tx >= 0 && ty >= 0 && tx < side && ty < side) {
            rec[ty * side + tx] = hu[y * size + x];
            rec[side * side + ty * side + tx] = alpha[y * size + x];
          }
        }
      }
      return rec;
    }
  }

  /** A transplanter whose random choices follow the seed. */
  public NoduleTransplanter(long seed) {
    this.rnd = new Random(seed);
  }

  /**
   * Cuts the nodule out of {@code crop} and resamples it to {@code spacingMm}.
   *
   * @param jitter whether to rotate by a random angle, mirror at random and scale by a random
   *     factor in [0.9, 1.1] (the diameter scales with it); otherwise as the crop shows it
   */
  public Patch patch(NoduleCrops.Crop crop, double spacingMm, boolean jitter) {
    if (!(spacingMm > 0.1 && spacingMm < 10)) {
      throw new IllegalArgumentException("pixel spacing must be in (0.1, 10) mm, got " + spacingMm);
    }
    float[] alpha = feather(cut(crop), crop.size());
    float[] cropHu = new float[crop.size() * crop.size()];
    for (int i = 0; i < cropHu.length; i++) {
      cropHu[i] = crop.huAt(i % crop.size(), i / crop.size());
    }
    double scale = jitter ? 0.9 + 0.2 * rnd.nextDouble() : 1.0;
    double angle = jitter ? rnd.nextDouble() * 2 * Math.PI : 0;
    boolean mirror = jitter && rnd.nextBoolean();
    int s = crop.size();
    // Output pixels per source pixel; the output covers the source's extent.
    double ratio = crop.spacingMm() * scale / spacingMm;
    int n = Math.max(3, (int) Math.ceil(s * ratio)) | 1;
    float[] hu = new float[n * n];
    float[] a = new float[n * n];
    double c = (s - 1) / 2.0;
    double co = (n - 1) / 2.0;
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        double dx = (x - co) / ratio;
        double dy = (y - co) / ratio;
        if (mirror) {
          dx = -dx;
        }
        double sx = c + cos * dx - sin * dy;
        double sy = c + sin * dx + cos * dy;
        // Outside the crop the weight is 0; HU takes the nearest edge value (never seen).
        boolean inside = sx >= 0 && sy >= 0 && sx <= s - 1 && sy <= s - 1;
        a[y * n + x] = inside ? (float) bilinear(alpha, s, sx, sy) : 0;
        hu[y * n + x] =
            (float)
                bilinear(
                    cropHu, s, Math.max(0, Math.min(s - 1, sx)), Math.max(0, Math.min(s - 1, sy)));
      }
    }
    return new Patch(n, hu, a, spacingMm, crop.diameterMm() * scale, crop);
  }

  /**
   * A random centre (column, row) where the whole patch lies inside the lung mask, or null after
   * {@code tries} draws without one.
   */
  public int[] place(LungMask mask, Patch p, int tries) {
    int w = mask.width();
    int h = mask.height();
    int half = p.size() / 2;
    for (int t = 0; t < tries; t++) {
      int cx = half + rnd.nextInt(Math.max(1, w - 2 * half));
      int cy = half + rnd.nextInt(Math.max(1, h - 2 * half));
      if (!mask.isLung(cx, cy)) {
        continue;
      }
      if (fits(mask, p, cx, cy)) {
        return new int[] {cx, cy};
      }
    }
    return null;
  }

  private static boolean fits(LungMask mask, Patch p, int cx, int cy) {
    int n = p.size();
    int half = n / 2;
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        if (p.alpha()[y * n + x] > 0.01f) {
          int tx = cx - half + x;
          int ty = cy - half + y;
          if (tx < 0
              || ty < 0
              || tx >= mask.width()
              || ty >= mask.height()
              || !mask.isLung(tx, ty)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The slice with the patch blended in, centred at column {@code cx}, row {@code cy}. */
  public static CtSlice paste(CtSlice slice, Patch p, int cx, int cy) {
    float[] hu = slice.hu();
    int w = slice.width();
    int n = p.size();
    int half = n / 2;
    for (int y = 0; y < n; y++) {
      int ty = cy - half + y;
      if (ty < 0 || ty >= slice.height()) {
        continue;
      }
      for (int x = 0; x < n; x++) {
        int tx = cx - half + x;
        float a = p.alpha()[y * n + x];
        if (tx < 0 || tx >= w || a <= 0) {
          continue;
        }
        int i = ty * w + tx;
        hu[i] = hu[i] * (1 - a) + p.hu()[y * n + x] * a;
      }
    }
    return slice.toBuilder().hu(hu).build();
  }

  /** The nodule's pixels in the crop (see the class comment). */
  static boolean[] cut(NoduleCrops.Crop crop) {
    int s = crop.size();
    double c = (s - 1) / 2.0;
    double limit = (crop.majorAxisMm() / 2 + 1.5) / crop.spacingMm();
    double search = Math.max(2, Math.min(limit, crop.diameterMm() / 2 / crop.spacingMm()));
    int seed = -1;
    float best = THRESHOLD_HU;
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        if (Math.hypot(x - c, y - c) <= search && crop.huAt(x, y) > best) {
          best = crop.huAt(x, y);
          seed = y * s + x;
        }
      }
    }
    boolean[] in = new boolean[s * s];
    if (seed < 0) {
      double r = crop.diameterMm() / 2 / crop.spacingMm();
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          in[y * s + x] = Math.hypot(x - c, y - c) <= r;
        }
      }
      return in;
    }
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(seed);
    in[seed] = true;
    int[] dx = {1, -1, 0, 0};
    int[] dy = {0, 0, 1, -1};
    while (!queue.isEmpty()) {
      int p = queue.poll();
      int x = p % s;
      int y = p / s;
      for (int d = 0; d < 4; d++) {
        int nx = x + dx[d];
        int ny = y + dy[d];
        if (nx < 0 || ny < 0 || nx >= s || ny >= s) {
          continue;
        }
        int q = ny * s + nx;
        if (!in[q] && crop.huAt(nx, ny) > THRESHOLD_HU && Math.hypot(nx - c, ny - c) <= limit) {
          in[q] = true;
          queue.add(q);
        }
      }
    }
    return in;
  }

  /** A 3x3 box blur of the cut: the one-pixel partial-volume edge. */
  private static float[] feather(boolean[] in, int s) {
    float[] out = new float[s * s];
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        int sum = 0;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int nx = x + dx;
            int ny = y + dy;
            if (nx >= 0 && ny >= 0 && nx < s && ny < s && in[ny * s + nx]) {
              sum++;
            }
          }
        }
        // The cut itself stays fully opaque; only the ring outside it is partial.
        out[y * s + x] = in[y * s + x] ? 1f : sum / 9f;
      }
    }
    return out;
  }

  /** Bilinear interpolation of an {@code s x s} image at a point inside it. */
  private static double bilinear(float[] v, int s, double x, double y) {
    int x0 = Math.min((int) x, s - 2);
    int y0 = Math.min((int) y, s - 2);
    double fx = x - x0;
    double fy = y - y0;
    return (v[y0 * s + x0] * (1 - fx) + v[y0 * s + x0 + 1] * fx) * (1 - fy)
        + (v[(y0 + 1) * s + x0] * (1 - fx) + v[(y0 + 1) * s + x0 + 1] * fx) * fy;
  }
}
