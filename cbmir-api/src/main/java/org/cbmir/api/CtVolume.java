package org.cbmir.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A CT series as a stack of axial slices in HU, sorted by position along the slice normal
 * (ascending z), with its geometry and identifiers.
 *
 * <p>Thread-safety: immutable (arrays are copied in and out), safe to share.
 */
public final class CtVolume {
  private final int width;
  private final int height;
  private final int depth;
  private final float[] hu;
  private final double rowSpacingMm;
  private final double columnSpacingMm;
  private final double[] zPositionsMm;
  private final double[] originMm;
  private final String patientId;
  private final String studyUid;
  private final String seriesUid;

  /** Per-slice labels, or null when no annotation was attached (every slice unknown). */
  private final NoduleClass[] sliceClasses;

  private final double[] sliceDiametersMm;

  private CtVolume(Builder b) {
    this.width = b.width;
    this.height = b.height;
    this.depth = b.zPositionsMm.length;
    this.hu = b.hu.clone();
    this.rowSpacingMm = b.rowSpacingMm;
    this.columnSpacingMm = b.columnSpacingMm;
    this.zPositionsMm = b.zPositionsMm.clone();
    this.originMm = b.originMm.clone();
    this.patientId = b.patientId;
    this.studyUid = b.studyUid;
    this.seriesUid = b.seriesUid;
    this.sliceClasses = b.sliceClasses == null ? null : b.sliceClasses.clone();
    this.sliceDiametersMm = b.sliceDiametersMm == null ? null : b.sliceDiametersMm.clone();
  }

  /** Shares the immutable voxels of {@code v}: labelling a volume must not copy 100 MB. */
  private CtVolume(CtVolume v, NoduleClass[] classes, double[] diametersMm) {
    this.width = v.width;
    this.height = v.height;
    this.depth = v.depth;
    this.hu = v.hu;
    this.rowSpacingMm = v.rowSpacingMm;
    this.columnSpacingMm = v.columnSpacingMm;
    this.zPositionsMm = v.zPositionsMm;
    this.originMm = v.originMm;
    this.patientId = v.patientId;
    this.studyUid = v.studyUid;
    this.seriesUid = v.seriesUid;
    this.sliceClasses = classes;
    this.sliceDiametersMm = diametersMm;
  }

  /**
   * This volume with a nodule class and diameter for each slice (as annotations give them), which
   * {@link #slice(int)} puts in each slice's reference.
   *
   * @param classes one class per slice, {@link NoduleClass#UNKNOWN} where not known; copied
   * @param diametersMm diameter of the largest nodule per slice in mm, 0 for none, NaN where not
   *     known; copied
   * @throws IllegalArgumentException if an array's length is not {@link #depth()} or it holds null
   */
  public CtVolume withSliceLabels(NoduleClass[] classes, double[] diametersMm) {
    Builder.checkLabels(classes, diametersMm, depth);
    return new CtVolume(this, classes.clone(), diametersMm.clone());
  }

  /** The nodule class of slice {@code k}; {@link NoduleClass#UNKNOWN} when not annotated. */
  public NoduleClass sliceClass(int k) {
    Objects.checkIndex(k, depth);
    return sliceClasses == null ? NoduleClass.UNKNOWN : sliceClasses[k];
  }

  /** Whether annotations gave the slices their classes ({@link #withSliceLabels}). */
  public boolean isLabelled() {
    return sliceClasses != null;
  }

  /** Columns per slice. */
  public int width() {
    return width;
  }

  /** Rows per slice. */
  public int height() {
    return height;
  }

  /** Number of slices. */
  public int depth() {
    return depth;
  }

  /** Row spacing in mm. */
  public double rowSpacingMm() {
    return rowSpacingMm;
  }

  /** Column spacing in mm. */
  public double columnSpacingMm() {
    return columnSpacingMm;
  }

  /** Position of slice {@code k} along the patient axis in mm. */
  public double zMm(int k) {
    return zPositionsMm[Objects.checkIndex(k, depth)];
  }

  /** A copy of all slice positions in mm, ascending. */
  public double[] zPositionsMm() {
    return zPositionsMm.clone();
  }

  /** Patient coordinates (x, y, z) in mm of the first pixel of the first slice. */
  public double[] originMm() {
    return originMm.clone();
  }

  /** Patient ID. */
  public String patientId() {
    return patientId;
  }

  /** Study instance UID (may be empty). */
  public String studyUid() {
    return studyUid;
  }

  /** Series instance UID. */
  public String seriesUid() {
    return seriesUid;
  }

  /** HU value at column {@code x}, row {@code y}, slice {@code k}. */
  public float huAt(int x, int y, int k) {
    Objects.checkIndex(x, width);
    Objects.checkIndex(y, height);
    Objects.checkIndex(k, depth);
    return hu[(k * height + y) * width + x];
  }

  /** Copies slice {@code k}'s pixels (row-major HU) into {@code dst} at {@code offset}. */
  public void copySliceInto(int k, float[] dst, int offset) {
    Objects.checkIndex(k, depth);
    int n = width * height;
    System.arraycopy(hu, k * n, dst, offset, n);
  }

  /**
   * Slice {@code k} as a {@link CtSlice} with a reference: its class and nodule diameter where the
   * volume is labelled, {@link NoduleClass#UNKNOWN} otherwise.
   */
  public CtSlice slice(int k) {
    Objects.checkIndex(k, depth);
    int n = width * height;
    float[] px = Arrays.copyOfRange(hu, k * n, (k + 1) * n);
    SliceRef.Builder rb =
        SliceRef.builder()
            .patientId(patientId)
            .studyUid(studyUid)
            .seriesUid(seriesUid)
            .sliceIndex(k)
            .zMm(zPositionsMm[k]);
    if (sliceClasses != null) {
      rb.noduleClass(sliceClasses[k]).noduleDiameterMm(sliceDiametersMm[k]);
    }
    SliceRef ref = rb.build();
    return CtSlice.builder()
        .size(width, height)
        .hu(px)
        .pixelSpacingMm(rowSpacingMm, columnSpacingMm)
        .ref(ref)
        .build();
  }

  @Override
  public String toString() {
    return "CtVolume["
        + patientId
        + " "
        + seriesUid
        + ", "
        + width
        + "x"
        + height
        + "x"
        + depth
        + "]";
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link CtVolume}. Not thread-safe. */
  public static final class Builder {
    private int width;
    private int height;
    private float[] hu;
    private double rowSpacingMm = Double.NaN;
    private double columnSpacingMm = Double.NaN;
    private double[] zPositionsMm;
    private double[] originMm = {0, 0, 0};
    private String patientId;
    private String studyUid = "";
    private String seriesUid;
    private NoduleClass[] sliceClasses;
    private double[] sliceDiametersMm;

    private Builder() {}

    /** Per-slice nodule classes and diameters (optional); see {@link CtVolume#withSliceLabels}. */
    public Builder sliceLabels(NoduleClass[] classes, double[] diametersMm) {
      this.sliceClasses = classes;
      this.sliceDiametersMm = diametersMm;
      return this;
    }

    static void checkLabels(NoduleClass[] classes, double[] diametersMm, int depth) {
      Objects.requireNonNull(classes, "classes");
      Objects.requireNonNull(diametersMm, "diametersMm");
      if (classes.length != depth || diametersMm.length != depth) {
        throw new IllegalArgumentException(
            "expected one label per slice ("
                + depth
                + "), got "
                + classes.length
                + " classes and "
                + diametersMm.length
                + " diameters");
      }
      for (int k = 0; k < depth; k++) {
        if (classes[k] == null) {
          throw new IllegalArgumentException(
              "class of slice " + k + " is null; use NoduleClass.UNKNOWN");
        }
        if (diametersMm[k] < 0 || Double.isInfinite(diametersMm[k])) {
          throw new IllegalArgumentException(
              "diameter of slice "
                  + k
                  + " must be >= 0 and finite, or NaN (unknown), got "
                  + diametersMm[k]);
        }
      }
    }

    /** Slice width and height in pixels. */
    public Builder size(int width, int height) {
      this.width = width;
      this.height = height;
      return this;
    }

    /** Voxels in HU, slice after slice, each row-major; copied. */
    public Builder hu(float[] hu) {
      this.hu = hu;
      return this;
    }

    /** Row and column spacing in mm. */
    public Builder pixelSpacingMm(double rowSpacingMm, double columnSpacingMm) {
      this.rowSpacingMm = rowSpacingMm;
      this.columnSpacingMm = columnSpacingMm;
      return this;
    }

    /** Ascending slice positions in mm, one per slice; copied. */
    public Builder zPositionsMm(double[] z) {
      this.zPositionsMm = z;
      return this;
    }

    /** Patient coordinates of the first voxel in mm. */
    public Builder originMm(double x, double y, double z) {
      this.originMm = new double[] {x, y, z};
      return this;
    }

    /** Patient, study and series identifiers (study may be empty). */
    public Builder ids(String patientId, String studyUid, String seriesUid) {
      this.patientId = patientId;
      this.studyUid = studyUid;
      this.seriesUid = seriesUid;
      return this;
    }

    /**
     * Builds the volume.
     *
     * @throws IllegalArgumentException on a missing field, a voxel count that does not match the
     *     size, spacing that is not a positive finite number, a NaN voxel, or positions that are
     *     not finite and strictly ascending (the checks of {@link CtSlice.Builder#build()} and
     *     more)
     */
    public CtVolume build() {
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException(
            "slice size must be positive, got " + width + "x" + height);
      }
      if (zPositionsMm == null || zPositionsMm.length == 0) {
        throw new IllegalArgumentException("at least one slice position is required");
      }
      if (hu == null || hu.length != (long) width * height * zPositionsMm.length) {
        throw new IllegalArgumentException(
            "expected "
                + ((long) width * height * zPositionsMm.length)
                + " voxels, got "
                + (hu == null ? "none" : hu.length));
      }
      CtSlice.Builder.checkSpacing(rowSpacingMm, "row");
      CtSlice.Builder.checkSpacing(columnSpacingMm, "column");
      for (int k = 0; k < zPositionsMm.length; k++) {
        if (!Double.isFinite(zPositionsMm[k])) {
          throw new IllegalArgumentException(
              "slice position " + k + " must be a finite number of mm, got " + zPositionsMm[k]);
        }
      }
      int plane = width * height;
      for (int i = 0; i < hu.length; i++) {
        if (Float.isNaN(hu[i])) {
          throw new IllegalArgumentException(
              "voxel "
                  + i
                  + " (x="
                  + (i % width)
                  + ", y="
                  + (i % plane / width)
                  + ", slice "
                  + (i / plane)
                  + ") is NaN");
        }
      }
      for (int k = 1; k < zPositionsMm.length; k++) {
        if (!(zPositionsMm[k] > zPositionsMm[k - 1])) {
          throw new IllegalArgumentException(
              "slice positions must ascend strictly; position "
                  + k
                  + " is "
                  + zPositionsMm[k]
                  + " after "
                  + zPositionsMm[k - 1]);
        }
      }
      if (patientId == null || patientId.isBlank() || seriesUid == null || seriesUid.isBlank()) {
        throw new IllegalArgumentException("patient ID and series UID are required");
      }
      Objects.requireNonNull(studyUid, "studyUid");
      if (sliceClasses != null || sliceDiametersMm != null) {
        checkLabels(sliceClasses, sliceDiametersMm, zPositionsMm.length);
      }
      return new CtVolume(this);
    }
  }
}
