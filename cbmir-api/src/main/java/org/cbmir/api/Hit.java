package org.cbmir.api;

import java.util.Objects;

/**
 * One search result.
 *
 * <p>Thread-safety: immutable, safe to share.
 *
 * @param ordinal the slice's ordinal in the index (stable for the index's lifetime)
 * @param ref where the slice comes from
 * @param hammingDistance Hamming distance between the query's code and the slice's code
 * @param featureDistance Euclidean distance between the query's and the slice's FC1 features
 * @param rank 1-based rank in the result list
 */
public record Hit(int ordinal, SliceRef ref, int hammingDistance, float featureDistance, int rank) {
  /** Checks the fields. */
  public Hit {
    Objects.requireNonNull(ref, "ref");
    if (ordinal < 0 || hammingDistance < 0 || rank < 1) {
      throw new IllegalArgumentException(
          "expected ordinal >= 0, hammingDistance >= 0, rank >= 1;"
              + " got "
              + ordinal
              + ", "
              + hammingDistance
              + ", "
              + rank);
    }
  }
}
