package org.cbmir.api.preprocessing;

/**
 * A display/normalisation window over Hounsfield units: values map linearly from {@code [centre -
 * width/2, centre + width/2]} to {@code [0, 1]}, clamped.
 *
 * <p>Thread-safety: immutable, safe to share.
 *
 * @param centre window centre (level) in HU
 * @param width window width in HU, {@code > 0}
 */
public record HuWindow(double centre, double width) {
  /** The usual lung window: level -600 HU, width 1500 HU. */
  public static final HuWindow LUNG = new HuWindow(-600, 1500);

  /** A mediastinal (soft tissue) window: level 40 HU, width 400 HU. */
  public static final HuWindow MEDIASTINUM = new HuWindow(40, 400);

  /** Checks the width. */
  public HuWindow {
    if (!(width > 0) || Double.isInfinite(width) || !Double.isFinite(centre)) {
      throw new IllegalArgumentException(
          "window needs a finite centre and a positive finite width, got " + centre + "/" + width);
    }
  }

  /** The value of one HU in the window, in {@code [0, 1]}. */
  public float apply(float hu) {
    double v = (hu - (centre - width / 2)) / width;
    return (float) Math.min(1, Math.max(0, v));
  }

  /** A new array with every value windowed. */
  public float[] apply(float[] hu) {
    float[] out = new float[hu.length];
    float lo = (float) (centre - width / 2);
    float inv = (float) (1 / width);
    for (int i = 0; i < hu.length; i++) {
      out[i] = Math.min(1f, Math.max(0f, (hu[i] - lo) * inv));
    }
    return out;
  }
}
