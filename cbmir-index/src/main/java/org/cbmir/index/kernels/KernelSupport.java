package org.cbmir.index.kernels;

/**
 * The hot loops of the index, implemented once with plain Java ({@link ScalarKernels}) and once
 * with the incubating Vector API. Reach the chosen implementation through {@link Kernels}.
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
   * each match, in ascending ordinal order, its ordinal goes to {@code outOrdinals} and its
   * distance to {@code outDistances}; both need room for {@code to - from} entries.
   *
   * @return the number of matches
   */
  int radiusScan(
      long[] codes,
      int words,
      int from,
      int to,
      long[] query,
      int queryOffset,
      int radius,
      int[] outOrdinals,
      int[] outDistances);

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

  /** Dot product of floats {@code a[aOffset..aOffset+dim)} and int8 values {@code b[...]}. */
  float dotInt8(float[] a, int aOffset, byte[] b, int bOffset, int dim);

  /**
   * Squared Euclidean distance between floats {@code a[aOffset..aOffset+dim)} and finite IEEE 754
   * half-precision values {@code b[...]} (as {@link Float#floatToFloat16} writes them).
   */
  float squareDistanceF16(float[] a, int aOffset, short[] b, int bOffset, int dim);
}
