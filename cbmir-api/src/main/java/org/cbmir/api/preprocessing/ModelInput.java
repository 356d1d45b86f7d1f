package org.cbmir.api.preprocessing;

import java.util.Arrays;
import org.cbmir.api.CtSlice;
import org.cbmir.api.LungMask;

/**
 * The pixel grid the models see: a square of {@code size} pixels at {@code spacingMm}, centred on
 * the slice, in raw HU (windowing happens inside the models). Dataset export and inference both go
 * through {@link #prepare}, so training and inference cannot disagree.
 *
 * <p>The default, 256 pixels at 1.25 mm, covers a 320 mm field of view (a thorax) and draws a 5 mm
 * nodule across 4 pixels; shrinking a whole 512-pixel slice to 128 would leave it under 2.
 *
 * <pre>{@code
 * CtSlice input = ModelInput.DEFAULT.prepare(slice);   // 256 x 256 at 1.25 mm
 * }</pre>
 *
 * <p>Thread-safety: immutable, safe to share.
 *
 * @param size width and height in pixels
 * @param spacingMm pixel spacing in mm
 */
public record ModelInput(int size, double spacingMm) {
  /** 256 x 256 pixels at 1.25 mm. */
  public static final ModelInput DEFAULT = new ModelInput(256, 1.25);

  /** HU used to pad beyond the slice's field of view: air. */
  public static final float PAD_HU = -1024f;

  /** Checks the fields. */
  public ModelInput {
    if (size < 8 || !(spacingMm > 0) || Double.isInfinite(spacingMm)) {
      throw new IllegalArgumentException(
          "model input needs size >= 8 and a positive spacing, got "
              + size
              + " px at "
              + spacingMm
              + " mm");
    }
  }

  /**
   * Where the centred crop of a resampled side of {@code length} pixels starts: a whole pixel,
   * rounded toward zero (negative when the side is padded), the same in both directions of the
   * mapping.
   */
  private int cropOffset(int length) {
    return (length - size) / 2;
  }

  /** The slice resampled to the spacing, centre-cropped or padded with air to the size. */
  public CtSlice prepare(CtSlice slice) {
    CtSlice r = Resampling.resampleSlice(slice, spacingMm);
    int w = r.width();
    int h = r.height();
    float[] src = r.hu();
    float[] out = new float[size * size];
    Arrays.fill(out, PAD_HU);
    int dx = cropOffset(w);
    int dy = cropOffset(h);
    for (int y = 0; y < size; y++) {
      int sy = y + dy;
      if (sy < 0 || sy >= h) {
        continue;
      }
      for (int x = 0; x < size; x++) {
        int sx = x + dx;
        if (sx >= 0 && sx < w) {
          out[y * size + x] = src[sy * w + sx];
        }
      }
    }
    return CtSlice.builder()
        .size(size, size)
        .hu(out)
        .pixelSpacingMm(spacingMm, spacingMm)
        .ref(slice.ref().orElse(null))
        .build();
  }

  /**
   * Where a pixel position of the original slice lands on the model grid, as (column, row), with
   * the pixel-centre convention of {@link #prepare}; for drawing nodules and checking that they
   * stay in view.
   */
  public double[] toModelPixel(CtSlice slice, double column, double row) {
    int ow = resampledWidth(slice);
    int oh = resampledHeight(slice);
    double i = (column + 0.5) * ow / slice.width() - 0.5;
    double j = (row + 0.5) * oh / slice.height() - 0.5;
    return new double[] {i - cropOffset(ow), j - cropOffset(oh)};
  }

  /** The inverse of {@link #toModelPixel}: where a model-grid pixel lies on the original slice. */
  public double[] toSlicePixel(CtSlice slice, double modelColumn, double modelRow) {
    int ow = resampledWidth(slice);
    int oh = resampledHeight(slice);
    double i = modelColumn + cropOffset(ow);
    double j = modelRow + cropOffset(oh);
    return new double[] {
      (i + 0.5) * slice.width() / ow - 0.5, (j + 0.5) * slice.height() / oh - 0.5
    };
  }

  /**
   * A mask on the original slice's grid carried to the model grid (nearest pixel; outside the slice
   * is not lung), as row-major flags.
   */
  public boolean[] maskToModel(CtSlice slice, LungMask mask) {
    boolean[] out = new boolean[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double[] p = toSlicePixel(slice, x, y);
        int c = (int) Math.round(p[0]);
        int r = (int) Math.round(p[1]);
        out[y * size + x] =
            c >= 0 && r >= 0 && c < mask.width() && r < mask.height() && mask.isLung(c, r);
      }
    }
    return out;
  }

  /** Model-grid flags carried back to the original slice's grid as a mask (nearest pixel). */
  public LungMask maskToSlice(CtSlice slice, boolean[] modelMask) {
    if (modelMask.length != size * size) {
      throw new IllegalArgumentException(
          "expected " + size * size + " mask values, got " + modelMask.length);
    }
    boolean[] out = new boolean[slice.width() * slice.height()];
    for (int y = 0; y < slice.height(); y++) {
      for (int x = 0; x < slice.width(); x++) {
        double[] p = toModelPixel(slice, x, y);
        int c = (int) Math.round(p[0]);
        int r = (int) Math.round(p[1]);
        out[y * slice.width() + x] =
            c >= 0 && r >= 0 && c < size && r < size && modelMask[r * size + c];
      }
    }
    return LungMask.of(slice.width(), slice.height(), out);
  }

  private int resampledWidth(CtSlice slice) {
    return Math.max(1, (int) Math.round(slice.width() * slice.columnSpacingMm() / spacingMm));
  }

  private int resampledHeight(CtSlice slice) {
    return Math.max(1, (int) Math.round(slice.height() * slice.rowSpacingMm() / spacingMm));
  }
}
