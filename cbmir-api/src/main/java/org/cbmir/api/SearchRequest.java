package org.cbmir.api;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Set;

/**
 * What to search for: how many hits, how wide the coarse stage, and which slices may be returned.
 *
 * <pre>{@code
 * SearchRequest request = SearchRequest.builder()
 *     .k(10)
 *     .hammingRadius(4)
 *     .minPoolSize(1000)
 *     .excludePatients(Set.of(queryPatient))   // never return the query's own patient
 *     .maxHitsPerPatient(3)
 *     .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable, safe to share and reuse across searches.
 *
 * @param k number of hits to return, {@code >= 1}
 * @param hammingRadius starting Hamming radius of the coarse stage, {@code >= 0}
 * @param minPoolSize the coarse pool is widened until it holds at least this many live slices that
 *     pass the filters, {@code >= k}
 * @param mode the ranking method
 * @param allowedClasses classes that may be returned; empty means all (slices of unknown class are
 *     then returned too); a non-empty set returns slices of unknown class only if it holds {@link
 *     NoduleClass#UNKNOWN}
 * @param excludedPatients patient IDs that must not be returned
 * @param excludedSeries series UIDs that must not be returned
 * @param maxHitsPerPatient at most this many hits from one patient, {@code >= 1}
 */
public record SearchRequest(
    int k,
    int hammingRadius,
    int minPoolSize,
    SearchMode mode,
    Set<NoduleClass> allowedClasses,
    Set<String> excludedPatients,
    Set<String> excludedSeries,
    int maxHitsPerPatient) {

  /** Default number of hits. */
  public static final int DEFAULT_K = 10;

  /** Default starting radius. */
  public static final int DEFAULT_HAMMING_RADIUS = 2;

  /** Default minimum pool size (raised to {@code k} when {@code k} is larger). */
  public static final int DEFAULT_MIN_POOL_SIZE = 1000;

  /** Checks and copies the fields; prefer {@link #builder()}. */
  public SearchRequest {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (hammingRadius < 0) {
      throw new IllegalArgumentException("hammingRadius must be >= 0, got " + hammingRadius);
    }
    if (minPoolSize < k) {
      throw new IllegalArgumentException(
          "minPoolSize must be >= k (" + k + "), got " + minPoolSize);
    }
    if (mode == null) {
      throw new IllegalArgumentException(
          "mode is required; valid modes: " + EnumSet.allOf(SearchMode.class));
    }
    if (maxHitsPerPatient < 1) {
      throw new IllegalArgumentException(
          "maxHitsPerPatient must be >= 1, got " + maxHitsPerPatient);
    }
    allowedClasses = Set.copyOf(allowedClasses);
    excludedPatients = Set.copyOf(excludedPatients);
    excludedSeries = Set.copyOf(excludedSeries);
  }

  /** The default request: top 10, coarse-to-fine from radius 2 with a pool of at least 1000. */
  public static SearchRequest defaults() {
    return builder().build();
  }

  /** Whether any filter (classes, patients, series) is set. */
  public boolean hasFilters() {
    return !allowedClasses.isEmpty() || !excludedPatients.isEmpty() || !excludedSeries.isEmpty();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder initialised with this request's fields. A pool size equal to the default for this
   * request's {@code k} stays the default (derived again from the new {@code k}), so that {@code
   * toBuilder().k(2000).build()} widens the pool with {@code k} instead of failing.
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.k = k;
    b.hammingRadius = hammingRadius;
    b.minPoolSize = minPoolSize == Math.max(DEFAULT_MIN_POOL_SIZE, k) ? -1 : minPoolSize;
    b.mode = mode;
    b.allowedClasses = EnumSet.noneOf(NoduleClass.class);
    b.allowedClasses.addAll(allowedClasses);
    b.excludedPatients = Set.copyOf(excludedPatients);
    b.excludedSeries = Set.copyOf(excludedSeries);
    b.maxHitsPerPatient = maxHitsPerPatient;
    return b;
  }

  /** Builder for {@link SearchRequest}. Not thread-safe. */
  public static final class Builder {
    private int k = DEFAULT_K;
    private int hammingRadius = DEFAULT_HAMMING_RADIUS;
    private int minPoolSize = -1;
    private SearchMode mode = SearchMode.COARSE_TO_FINE;
    private EnumSet<NoduleClass> allowedClasses = EnumSet.noneOf(NoduleClass.class);
    private Set<String> excludedPatients = Set.of();
    private Set<String> excludedSeries = Set.of();
    private int maxHitsPerPatient = Integer.MAX_VALUE;

    private Builder() {}

    /** Number of hits (default 10). */
    public Builder k(int k) {
      this.k = k;
      return this;
    }

    /** Starting Hamming radius of the coarse stage (default 2). */
    public Builder hammingRadius(int radius) {
      this.hammingRadius = radius;
      return this;
    }

    /** Minimum number of candidates for the fine stage (default max(1000, k)). */
    public Builder minPoolSize(int m) {
      this.minPoolSize = m;
      return this;
    }

    /** Ranking method (default {@link SearchMode#COARSE_TO_FINE}). */
    public Builder mode(SearchMode mode) {
      this.mode = mode;
      return this;
    }

    /** Only return slices of these classes (default: all). */
    public Builder allowClasses(Collection<NoduleClass> classes) {
      this.allowedClasses =
          classes.isEmpty() ? EnumSet.noneOf(NoduleClass.class) : EnumSet.copyOf(classes);
      return this;
    }

    /** Never return slices of these patients. */
    public Builder excludePatients(Collection<String> patientIds) {
      this.excludedPatients = Set.copyOf(patientIds);
      return this;
    }

    /** Never return slices of these series. */
    public Builder excludeSeries(Collection<String> seriesUids) {
      this.excludedSeries = Set.copyOf(seriesUids);
      return this;
    }

    /** At most this many hits from one patient (default unlimited). */
    public Builder maxHitsPerPatient(int max) {
      this.maxHitsPerPatient = max;
      return this;
    }

    /**
     * Builds the request.
     *
     * @throws IllegalArgumentException if {@code k < 1}, the radius is negative, the pool is
     *     smaller than {@code k}, or the per-patient cap is below 1
     */
    public SearchRequest build() {
      int m = minPoolSize < 0 ? Math.max(DEFAULT_MIN_POOL_SIZE, k) : minPoolSize;
      return new SearchRequest(
          k,
          hammingRadius,
          m,
          mode,
          allowedClasses,
          excludedPatients,
          excludedSeries,
          maxHitsPerPatient);
    }
  }
}
