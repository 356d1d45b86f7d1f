package org.cbmir.api;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a slice comes from: the case a search hit belongs to.
 *
 * <p>Build one with {@link #builder()}:
 *
 * <pre>{@code
 * SliceRef ref = SliceRef.builder()
 *     .patientId("LIDC-IDRI-0001")
 *     .seriesUid("1.3.6.1.4.1.14519.5.2.1.6279.6001.179049373636438705059720603192")
 *     .sliceIndex(86)
 *     .zMm(-115.0)
 *     .noduleDiameterMm(23.4)
 *     .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 *
 * @param patientId patient identifier, never empty
 * @param studyUid study instance UID, may be empty when unknown
 * @param seriesUid series instance UID, never empty
 * @param sliceIndex index of the slice in its series after sorting by position, {@code >= 0}
 * @param zMm slice position along the patient axis in mm, NaN when unknown
 * @param noduleClass the slice's nodule-diameter class, {@link NoduleClass#UNKNOWN} when unknown (a
 *     {@code null} passed in becomes {@code UNKNOWN}); see {@link #knownClass()}
 * @param noduleDiameterMm diameter of the largest nodule on the slice in mm (0 for none), NaN when
 *     unknown
 */
public record SliceRef(
    String patientId,
    String studyUid,
    String seriesUid,
    int sliceIndex,
    double zMm,
    NoduleClass noduleClass,
    double noduleDiameterMm) {

  /** Checks the fields; prefer {@link #builder()}. */
  public SliceRef {
    requireNonBlank(patientId, "patientId");
    Objects.requireNonNull(studyUid, "studyUid (use \"\" when unknown)");
    requireNonBlank(seriesUid, "seriesUid");
    if (noduleClass == null) {
      noduleClass = NoduleClass.UNKNOWN;
    }
    if (sliceIndex < 0) {
      throw new IllegalArgumentException("sliceIndex must be >= 0, got " + sliceIndex);
    }
    if (Double.isInfinite(zMm)) {
      throw new IllegalArgumentException("zMm must be finite or NaN (unknown), got " + zMm);
    }
    if (noduleDiameterMm < 0 || Double.isInfinite(noduleDiameterMm)) {
      throw new IllegalArgumentException(
          "noduleDiameterMm must be >= 0 and finite, or NaN (unknown), got " + noduleDiameterMm);
    }
  }

  /** The nodule class when known: empty for {@link NoduleClass#UNKNOWN}. */
  public Optional<NoduleClass> knownClass() {
    return noduleClass.isKnown() ? Optional.of(noduleClass) : Optional.empty();
  }

  /**
   * What the slice shows, for people: "no nodule", "nodule 9.3 mm (8-13 mm)", or "class unknown".
   */
  public String noduleInWords() {
    if (!noduleClass.isKnown()) {
      return "class unknown";
    }
    if (noduleClass == NoduleClass.NONE) {
      return "no nodule";
    }
    return Double.isNaN(noduleDiameterMm)
        ? "nodule " + noduleClass.description()
        : String.format(
            Locale.ROOT, "nodule %.1f mm (%s)", noduleDiameterMm, noduleClass.description());
  }

  /** A builder; patient ID, series UID and slice index are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder initialised with this reference's fields. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.patientId = patientId;
    b.studyUid = studyUid;
    b.seriesUid = seriesUid;
    b.sliceIndex = sliceIndex;
    b.zMm = zMm;
    b.noduleClass = noduleClass;
    b.noduleDiameterMm = noduleDiameterMm;
    return b;
  }

  private static void requireNonBlank(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must be a non-empty string, got '" + value + "'");
    }
  }

  /** Builder for {@link SliceRef}. Not thread-safe; use one per thread. */
  public static final class Builder {
    private String patientId;
    private String studyUid = "";
    private String seriesUid;
    private int sliceIndex = -1;
    private double zMm = Double.NaN;
    private NoduleClass noduleClass = NoduleClass.UNKNOWN;
    private double noduleDiameterMm = Double.NaN;

    private Builder() {}

    /** Patient identifier (required). */
    public Builder patientId(String patientId) {
      this.patientId = patientId;
      return this;
    }

    /** Study instance UID (optional). */
    public Builder studyUid(String studyUid) {
      this.studyUid = studyUid;
      return this;
    }

    /** Series instance UID (required). */
    public Builder seriesUid(String seriesUid) {
      this.seriesUid = seriesUid;
      return this;
    }

    /** Index of the slice in its position-sorted series (required, {@code >= 0}). */
    public Builder sliceIndex(int sliceIndex) {
      this.sliceIndex = sliceIndex;
      return this;
    }

    /** Slice position in mm (optional). */
    public Builder zMm(double zMm) {
      this.zMm = zMm;
      return this;
    }

    /** Nodule class (optional); {@link #noduleDiameterMm} also sets it. */
    public Builder noduleClass(NoduleClass noduleClass) {
      this.noduleClass = noduleClass;
      return this;
    }

    /**
     * Diameter of the largest nodule on the slice, 0 for none; also sets the class unless one was
     * set explicitly.
     */
    public Builder noduleDiameterMm(double diameterMm) {
      this.noduleDiameterMm = diameterMm;
      return this;
    }

    /**
     * Builds the reference.
     *
     * @throws IllegalArgumentException if a required field is missing or a value is out of range
     */
    public SliceRef build() {
      if (sliceIndex < 0) {
        throw new IllegalArgumentException(
            "sliceIndex is required and must be >= 0, got " + sliceIndex);
      }
      NoduleClass cls = noduleClass == null ? NoduleClass.UNKNOWN : noduleClass;
      if (cls == NoduleClass.UNKNOWN && !Double.isNaN(noduleDiameterMm)) {
        cls = NoduleClass.ofDiameterMm(noduleDiameterMm);
      }
      return new SliceRef(patientId, studyUid, seriesUid, sliceIndex, zMm, cls, noduleDiameterMm);
    }
  }
}
