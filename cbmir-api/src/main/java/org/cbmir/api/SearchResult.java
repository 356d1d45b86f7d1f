package org.cbmir.api;

import java.util.List;
import java.util.Objects;

/**
 * The hits of one search and what the search did to find them.
 *
 * <p>Thread-safety: immutable, safe to share.
 *
 * @param hits the ranked hits, at most {@link SearchRequest#k()}
 * @param strategy the algorithm that formed the candidate pool
 * @param radiusUsed the Hamming radius of the final pool (the request's radius or wider); -1 when
 *     the mode has no radius
 * @param poolSize number of live, filter-passing candidates in the pool
 * @param fineStageCount number of FC1 distances computed (the fine stage's work)
 * @param indexSize number of live slices in the index at search time
 */
public record SearchResult(
    List<Hit> hits,
    CoarseStrategy strategy,
    int radiusUsed,
    int poolSize,
    int fineStageCount,
    int indexSize) {
  /** Copies the hit list. */
  public SearchResult {
    hits = List.copyOf(hits);
    Objects.requireNonNull(strategy, "strategy");
  }

  /** Fraction of the index scored by FC1 distance, 0 for an empty index. */
  public double fineStageFraction() {
    return indexSize == 0 ? 0 : (double) fineStageCount / indexSize;
  }
}
