package org.cbmir.index.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. Only loaded by {@link Kernels} when the JVM has {@code jdk.incubator.vector};
 * never reference this class directly from code that must run without the module.
 *
 * <p>Thread-safety: stateless and thread-safe.
 */
final class PanamaKernels implements KernelSupport {
  static final PanamaKernels INSTANCE = new PanamaKernels();

  private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  private static final int LL = LS.length();
  private static final int FL = FS.length();
  /** Swaps the two words of each 128-bit code inside a vector. */
  private static final VectorShuffle<Long> SWAP_PAIRS = VectorShuffle.fromOp(LS, i -> i ^ 1);
  /** Mask bits of the even lanes (the first word of each 128-bit code). */
  private static final long EVEN_LANES = 0x5555_5555_5555_5555L & ((1L << LL) - 1);

  private PanamaKernels() {}

  @Override
  public String name() {
    return "panama";
  }

  @Override
  public String toString() {
    return "panama (Vector API, " + LS.vectorBitSize() + "-bit vectors)";
  }

  @Override
  public int radiusScan(long[] codes, int words, int from, int to, long[] query, int queryOffset,
      int radius, int[] outOrdinals, int[] outDistances) {
    if (words == 1) {
      return scan64(codes, from, to, query[queryOffset], radius, outOrdinals, outDistances);
    }
    if (words == 2 && LL >= 2) {
      return scan128(codes, from, to, query[queryOffset], query[queryOffset + 1], radius,
          outOrdinals, outDistances);
    }
    if (words % LL == 0) {
      return scanWide(codes, words, from, to, query, queryOffset, radius, outOrdinals,
          outDistances);
    }
    return ScalarKernels.INSTANCE.radiusScan(codes, words, from, to, query, queryOffset, radius,
        outOrdinals, outDistances);
  }

  private static int scan64(long[] codes, int from, int to, long q, int radius, int[] outOrd,
      int[] outDist) {
    LongVector qv = LongVector.broadcast(LS, q);
    int n = 0;
    int i = from;
    // Two vectors per iteration: one branch on the rare match for both keeps the loop tight.
    int bound = from + ((to - from) / (2 * LL)) * (2 * LL);
    for (; i < bound; i += 2 * LL) {
      LongVector d0 = LongVector.fromArray(LS, codes, i)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      LongVector d1 = LongVector.fromArray(LS, codes, i + LL)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      VectorMask<Long> m0 = d0.compare(VectorOperators.LE, radius);
      VectorMask<Long> m1 = d1.compare(VectorOperators.LE, radius);
      if (m0.or(m1).anyTrue()) {
        long bits = m0.toLong() | (m1.toLong() << LL);
        while (bits != 0) {
          int j = Long.numberOfTrailingZeros(bits);
          bits &= bits - 1;
          outOrd[n] = i + j;
          outDist[n++] = Long.bitCount(codes[i + j] ^ q);
        }
      }
    }
    for (; i < to; i++) {
      int d = Long.bitCount(codes[i] ^ q);
      if (d <= radius) {
        outOrd[n] = i;
        outDist[n++] = d;
      }
    }
    return n;
  }

  private static int scan128(long[] codes, int from, int to, long q0, long q1, int radius,
      int[] outOrd, int[] outDist) {
    long[] pattern = new long[LL];
    for (int l = 0; l < LL; l += 2) {
      pattern[l] = q0;
      pattern[l + 1] = q1;
    }
    LongVector qv = LongVector.fromArray(LS, pattern, 0);
    int perVector = LL / 2;
    int n = 0;
    int i = from;
    int bound = from + ((to - from) / perVector) * perVector;
    for (; i < bound; i += perVector) {
      LongVector p = LongVector.fromArray(LS, codes, 2 * i)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      LongVector sum = p.add(p.rearrange(SWAP_PAIRS));
      long bits = sum.compare(VectorOperators.LE, radius).toLong() & EVEN_LANES;
      while (bits != 0) {
        int j = Long.numberOfTrailingZeros(bits) >>> 1;
        bits &= bits - 1;
        int o = i + j;
        outOrd[n] = o;
        outDist[n++] = Long.bitCount(codes[2 * o] ^ q0) + Long.bitCount(codes[2 * o + 1] ^ q1);
      }
    }
    for (; i < to; i++) {
      int d = Long.bitCount(codes[2 * i] ^ q0) + Long.bitCount(codes[2 * i + 1] ^ q1);
      if (d <= radius) {
        outOrd[n] = i;
        outDist[n++] = d;
      }
    }
    return n;
  }

  private static int scanWide(long[] codes, int words, int from, int to, long[] query, int qo,
      int radius, int[] outOrd, int[] outDist) {
    int n = 0;
    for (int i = from; i < to; i++) {
      int base = i * words;
      LongVector acc = LongVector.zero(LS);
      for (int w = 0; w < words; w += LL) {
        acc = acc.add(LongVector.fromArray(LS, codes, base + w)
            .lanewise(VectorOperators.XOR, LongVector.fromArray(LS, query, qo + w))
            .lanewise(VectorOperators.BIT_COUNT));
      }
      int d = (int) acc.reduceLanes(VectorOperators.ADD);
      if (d <= radius) {
        outOrd[n] = i;
        outDist[n++] = d;
      }
    }
    return n;
  }

  @Override
  public float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int dim) {
    int i = 0;
    float res = 0;
    if (dim >= 2 * FL) {
      FloatVector acc0 = FloatVector.zero(FS);
      FloatVector acc1 = FloatVector.zero(FS);
      FloatVector acc2 = FloatVector.zero(FS);
      FloatVector acc3 = FloatVector.zero(FS);
      // Four accumulators hide the FMA latency (4 cycles, 2 per cycle on recent x86).
      int bound4 = dim - 4 * FL;
      for (; i <= bound4; i += 4 * FL) {
        FloatVector d0 = FloatVector.fromArray(FS, a, aOffset + i)
            .sub(FloatVector.fromArray(FS, b, bOffset + i));
        FloatVector d1 = FloatVector.fromArray(FS, a, aOffset + i + FL)
            .sub(FloatVector.fromArray(FS, b, bOffset + i + FL));
        FloatVector d2 = FloatVector.fromArray(FS, a, aOffset + i + 2 * FL)
            .sub(FloatVector.fromArray(FS, b, bOffset + i + 2 * FL));
        FloatVector d3 = FloatVector.fromArray(FS, a, aOffset + i + 3 * FL)
            .sub(FloatVector.fromArray(FS, b, bOffset + i + 3 * FL));
        acc0 = d0.fma(d0, acc0);
        acc1 = d1.fma(d1, acc1);
        acc2 = d2.fma(d2, acc2);
        acc3 = d3.fma(d3, acc3);
      }
      int bound1 = dim - FL;
      for (; i <= bound1; i += FL) {
        FloatVector d = FloatVector.fromArray(FS, a, aOffset + i)
            .sub(FloatVector.fromArray(FS, b, bOffset + i));
        acc0 = d.fma(d, acc0);
      }
      res = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }
    for (; i < dim; i++) {
      float d = a[aOffset + i] - b[bOffset + i];
      res = Math.fma(d, d, res);
    }
    return res;
  }
}
