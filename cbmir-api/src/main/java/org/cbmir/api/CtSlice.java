package org.cbmir.api;

import java.util.Objects;
import java.util.Optional;

/**
 * One axial CT slice in Hounsfield units, row-major, with its in-plane geometry and origin.
 *
 * <pre>{@code
 * CtSlice slice = CtSlice.builder()
 *     .size(512, 512)
 *     .hu(pixels)                 // float[512 * 512], row-major, HU
 *     .pixelSpacingMm(0.703, 0.703)
 *     .ref(ref)
 *     .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable (the pixel array is copied in and out), safe to share.
 */
public final class CtSlice {
  private final int width;
  private final int height;
  private final float[] hu;
  private final double rowSpacingMm;
  private final double columnSpacingMm;
  private final SliceRef ref;

  private CtSlice(Builder b) {
    this.width = b.width;
    this.height = b.height;
    this.hu = b.hu.clone();
    this.rowSpacingMm = b.rowSpacingMm;
    this.columnSpacingMm = b.columnSpacingMm;
    this.ref = b.ref;
  }

  /** Number of columns. */
  public int width() {
    return width;
  }

  /** Number of rows. */
  public int height() {
    return height;
  }

  /** A copy of the pixels in HU, row-major ({@code hu[y * width + x]}). */
  public float[] hu() {
    return hu.clone();
  }

  /** The HU value at column {@code x}, row {@code y}. */
  public float huAt(int x, int y) {
    Objects.checkIndex(x, width);
    Objects.checkIndex(y, height);
    return hu[y * width + x];
  }

  /** Copies the pixels into {@code dst} at {@code offset}, avoiding an allocation. */
  public void copyHuInto(float[] dst, int offset) {
    System.arraycopy(hu, 0, dst, offset, hu.length);
  }

  /** Distance between rows in mm (DICOM PixelSpacing[0]). */
  public double rowSpacingMm() {
    return rowSpacingMm;
  }

  /** Distance between columns in mm (DICOM PixelSpacing[1]). */
  public double columnSpacingMm() {
    return columnSpacingMm;
  }

  /**
   * Where the slice comes from: present for every slice of a {@link CtVolume}, empty for an
   * anonymous query slice.
   */
  public Optional<SliceRef> ref() {
    return Optional.ofNullable(ref);
  }

  /** A builder initialised with this slice's fields (the pixels are copied again on build). */
  public Builder toBuilder() {
    return builder()
        .size(width, height)
        .hu(hu)
        .pixelSpacingMm(rowSpacingMm, columnSpacingMm)
        .ref(ref);
  }

  /** A builder; size, pixels and spacing are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String toString() {
    return "CtSlice["
        + width
        + "x"
        + height
        + ", spacing "
        + rowSpacingMm
        + "x"
        + columnSpacingMm
        + " mm, ref="
        + ref
        + "]";
  }

  /** Builder for {@link CtSlice}. Not thread-safe. */
  public static final class Builder {
    private int width;
    private int height;
    private float[] hu;
    private double rowSpacingMm = Double.NaN;
    private double columnSpacingMm = Double.NaN;
    private SliceRef ref;

    private Builder() {}

    /** Width (columns) and height (rows) in pixels. */
    public Builder size(int width, int height) {
      this.width = width;
      this.height = height;
      return this;
    }

    /** Pixels in HU, row-major; copied on {@link #build()}. */
    public Builder hu(float[] hu) {
      this.hu = hu;
      return this;
    }

    /** Row and column spacing in mm (DICOM PixelSpacing order). */
    public Builder pixelSpacingMm(double rowSpacingMm, double columnSpacingMm) {
      this.rowSpacingMm = rowSpacingMm;
      this.columnSpacingMm = columnSpacingMm;
      return this;
    }

    /** Where the slice comes from ({@code null}, the default: an anonymous query slice). */
    public Builder ref(SliceRef ref) {
      this.ref = ref;
      return this;
    }

    /**
     * Builds the slice.
     *
     * @throws IllegalArgumentException if the size is not positive, the pixel count does not match
     *     it, the spacing is not a positive finite number, or a pixel is NaN
     */
    public CtSlice build() {
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException(
            "slice size must be positive, got " + width + "x" + height);
      }
      if (hu == null) {
        throw new IllegalArgumentException("pixels (hu) are required");
      }
      if (hu.length != (long) width * height) {
        throw new IllegalArgumentException(
            "expected "
                + ((long) width * height)
                + " pixels for a "
                + width
                + "x"
                + height
                + " slice, got "
                + hu.length);
      }
      checkSpacing(rowSpacingMm, "row");
      checkSpacing(columnSpacingMm, "column");
      for (int i = 0; i < hu.length; i++) {
        if (Float.isNaN(hu[i])) {
          throw new IllegalArgumentException(
              "pixel " + i + " (x=" + (i % width) + ", y=" + (i / width) + ") is NaN");
        }
      }
      return new CtSlice(this);
    }

    /** The spacing rule of slices and volumes alike. */
    static void checkSpacing(double v, String which) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException(
            which + " spacing must be a positive finite number of mm, got " + v);
      }
    }
  }
}
