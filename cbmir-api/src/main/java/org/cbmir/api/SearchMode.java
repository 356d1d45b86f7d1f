package org.cbmir.api;

/**
 * How a {@link RetrievalIndex} ranks the index for a query.
 *
 * <p>Thread-safety: enum constants are immutable and safe to share.
 */
public enum SearchMode {
  /**
   * The paper's method and the default: a Hamming-radius candidate pool, widened until it holds at
   * least {@link SearchRequest#minPoolSize()} slices, ranked by FC1 distance.
   */
  COARSE_TO_FINE,
  /** Rank every live slice by Hamming distance of the hash codes (ties by FC1, then ordinal). */
  HAMMING,
  /**
   * Rank every live slice by FC1 distance; the exact reference that coarse-to-fine approximates.
   */
  EXHAUSTIVE_FC1
}
