package org.cbmir.api.preprocessing;

import org.cbmir.api.CtSlice;

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
          "model input needs size >= 8 and a positive spacing, got " + size + " px at "
              + spacingMm + " mm");
    }
  }

  /** The slice resampled to the spacing, centre-cropped or padded with air to the size. */
  public CtSlice prepare(CtSlice slice) {
    CtSlice r = Resampling.resampleSlice(slice, spacingMm);
    int w = r.width();
    int h = r.height();
    float[] src = r.hu();
    float[] out = new float[size * size];
    java.util.Arrays.fill(out, PAD_HU);
    int dx = (w - size) / 2;
    int dy = (h - size) / 2;
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
    return CtSlice.builder().size(size, size).hu(out).pixelSpacingMm(spacingMm, spacingMm)
        .ref(slice.ref()).build();
  }

  /**
   * Where a point of the original slice lands on the model grid, as (column, row); for drawing
   * nodules and checking that they stay in view.
   */
  public double[] toModelPixel(CtSlice slice, double column, double row) {
    double cx = column * slice.columnSpacingMm() / spacingMm;
    double cy = row * slice.rowSpacingMm() / spacingMm;
    int w = Math.max(1, (int) Math.round(slice.width() * slice.columnSpacingMm() / spacingMm));
    int h = Math.max(1, (int) Math.round(slice.height() * slice.rowSpacingMm() / spacingMm));
    return new double[] {cx - (w - size) / 2, cy - (h - size) / 2};
  }
}
