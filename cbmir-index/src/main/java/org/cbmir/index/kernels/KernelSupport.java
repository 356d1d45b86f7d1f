package org.cbmir.index.kernels;

/**
 * The hot loops of the index, implemented once with plain Java ({@link ScalarKernels}) and once with
 * the incubating Vector API. Reach the chosen implementation through {@link Kernels}.
 *
 * <p>Thread-safety: implementations are stateless and thread-safe.
 */
public interface KernelSupport {

  /** A short name for logs: "scalar" or "panama". */
  String name();

  /**
   * Finds the codes in {@code [from, to)} within Hamming distance {@code radius} of the query.
   *
   * <p>Codes are packed {@code words} longs each, code {@code i} at {@code codes[i * words]}. For
   * each match, in ascending ordinal order, its ordinal goes to {@code outOrdinals} and its distance
   * to {@code outDistances}; both need room for {@code to - from} entries.
   *
   * @return the number of matches
   */
  int radiusScan(long[] codes, int words, int from, int to, long[] query, int queryOffset,
      int radius, int[] outOrdinals, int[] outDistances);

  /** Hamming distance between code {@code ordinal} and the query. */
  default int distance(long[] codes, int words, int ordinal, long[] query, int queryOffset) {
    int d = 0;
    int base = ordinal * words;
    for (int w = 0; w < words; w++) {
      d += Long.bitCount(codes[base + w] ^ query[queryOffset + w]);
    }
    return d;
  }

  /** Squared Euclidean distance between {@code a[aOffset..aOffset+dim)} and {@code b[...]}. */
  float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int dim);

  /**
   * Squared Euclidean distances from one query to four rows at once, into {@code out[outOffset
   * .. outOffset+4)}: the reranker's inner loop. Equal to four {@link #squareDistance} calls up to
   * rounding.
   */
  default void squareDistance4(float[] q, int qOffset, float[] r0, int o0, float[] r1, int o1,
      float[] r2, int o2, float[] r3, int o3, int dim, float[] out, int outOffset) {
    out[outOffset] = squareDistance(q, qOffset, r0, o0, dim);
    out[outOffset + 1] = squareDistance(q, qOffset, r1, o1, dim);
    out[outOffset + 2] = squareDistance(q, qOffset, r2, o2, dim);
    out[outOffset + 3] = squareDistance(q, qOffset, r3, o3, dim);
  }
}
