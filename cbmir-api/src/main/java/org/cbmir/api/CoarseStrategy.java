package org.cbmir.api;

/**
 * Which algorithm formed the candidate pool of a search, as reported in {@link SearchResult}; and,
 * for tools that call the coarse stage directly, which one to use ({@link #AUTO}: the cost model
 * chooses).
 *
 * <p>Thread-safety: enum constants are immutable and safe to share.
 */
public enum CoarseStrategy {
  /** Multi-index hashing: substring tables probed within the pigeonhole radius, then verified. */
  MULTI_INDEX_HASHING,
  /** A linear scan over all packed codes. */
  LINEAR_SCAN,
  /** No Hamming stage ({@link SearchMode#EXHAUSTIVE_FC1}). */
  NONE,
  /**
   * Asked for, never reported: let the index's cost model choose between {@link
   * #MULTI_INDEX_HASHING} and {@link #LINEAR_SCAN} per query.
   */
  AUTO
}
