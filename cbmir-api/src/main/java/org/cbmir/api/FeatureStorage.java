package org.cbmir.api;

/**
 * How an index keeps the FC1 features that rank the coarse pool: the memory per slice against the
 * exactness of the distances. Chosen with {@link IndexConfig.Builder#featureStorage}; stored in the
 * index file.
 *
 * <p>Thread-safety: enum constants are immutable.
 */
public enum FeatureStorage {
  /** Four bytes per value: exact distances (the default). 1,024 bytes a slice at D = 256. */
  FLOAT32,
  /**
   * One byte per value plus eight per slice (a per-slice scale, chosen from the slice's own largest
   * value, and the squared norm of the quantised row): about a quarter of the memory, distances
   * within the quantisation error, so that hits whose distances differ by less than it may swap
   * places. 264 bytes a slice at D = 256.
   */
  INT8,
  /**
   * {@link #INT8} for ranking the pool, plus float32 rows touched only to re-score the best
   * candidates exactly: the final hits and their distances are those of {@link #FLOAT32} unless a
   * true neighbour falls out of the candidates, while the rows scanned per query shrink fourfold.
   */
  INT8_RESCORED,
  /**
   * Two bytes per value (IEEE 754 half precision, rounded to nearest): half the memory of {@link
   * #FLOAT32}, distances within about 0.1% of the exact ones. Values must lie within +-65504, the
   * largest half-precision number; adding a slice with a larger FC1 value is refused. 512 bytes a
   * slice at D = 256.
   */
  FLOAT16
}
