package org.cbmir.index;

import org.cbmir.api.Embedding;

/**
 * Where the index keeps its FC1 feature rows: ordinals {@code 0..size()-1}, {@link #dimension()}
 * values each. The fine stage reads rows only through this interface, so that float32 rows on the
 * heap ({@link Float32FeatureStore}) and compact or mapped rows can serve it alike.
 *
 * <p>Thread-safety: reads may run concurrently with each other; {@link #append} must not run
 * concurrently with anything (the index's write lock ensures that).
 */
interface FeatureStore {
  /** Values per row. */
  int dimension();

  /** Number of rows stored. */
  int size();

  /**
   * Throws {@link IllegalArgumentException} if {@link #append} would refuse {@code e}'s features;
   * the index calls it before it changes any part, so that a refused add leaves no trace.
   */
  default void checkRow(Embedding e) {}

  /** Appends the FC1 features of {@code e} as row {@link #size()}. */
  void append(Embedding e);

  /** Squared Euclidean distance between the query and row {@code ordinal}; never negative. */
  float squareDistance(float[] query, int ordinal);

  /** {@link #squareDistance} for each of {@code ordinals[0..n)} into {@code out}. */
  default void squareDistances(float[] query, int[] ordinals, int n, float[] out) {
    for (int i = 0; i < n; i++) {
      out[i] = squareDistance(query, ordinals[i]);
    }
  }

  /** Bytes held, capacity included. */
  long ramBytesUsed();

  /**
   * The {@code features} section of the first {@code count} rows, row-major, as they are now; call
   * under the index's lock, write at leisure.
   */
  SectionSource snapshot(int count);

  /** Releases the memory; the store is unusable afterwards. */
  void release();
}
