package org.cbmir.index.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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

  private static final VectorSpecies<Long> LS = VectorSpecies.of(long.class, shape());
  private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, shape());
  private static final int LL = LS.length();
  private static final int FL = FS.length();

  /**
   * Lane rotations by FL/2, FL/4, ..., 1: adding a vector to its rotations sums the lanes in one
   * fixed tree order. {@code reduceLanes(ADD)} leaves the order unspecified, and the interpreter
   * and the compiled code did differ in the last bit: the same query must give the same bits.
   */
  private static final VectorShuffle<Float>[] HALVES = halves();

  @SuppressWarnings({"unchecked", "rawtypes"}) // Java has no generic array creation.
  private static VectorShuffle<Float>[] halves() {
    int steps = Integer.numberOfTrailingZeros(FL);
    VectorShuffle<Float>[] out = new VectorShuffle[steps];
    for (int s = 0, shift = FL / 2; s < steps; s++, shift /= 2) {
      out[s] = VectorShuffle.iota(FS, shift, 1, true);
    }
    return out;
  }

  /** The sum of the lanes, in a fixed order. */
  private static float sumLanes(FloatVector v) {
    for (VectorShuffle<Float> h : HALVES) {
      v = v.add(v.rearrange(h));
    }
    return v.lane(0);
  }

  /** Swaps the two words of each 128-bit code inside a vector. */
  private static final VectorShuffle<Long> SWAP_PAIRS = VectorShuffle.fromOp(LS, i -> i ^ 1);

  private PanamaKernels() {}

  /** {@code a * b + c}, fused where the hardware fuses it ({@link KernelGuards#FAST_FMA}). */
  private static FloatVector fma(FloatVector a, FloatVector b, FloatVector c) {
    return KernelGuards.FAST_FMA ? a.fma(b, c) : a.mul(b).add(c);
  }

  /** The shape asked for by {@link KernelGuards#VECTOR_BITS}, else the CPU's preferred one. */
  private static VectorShape shape() {
    return KernelGuards.VECTOR_BITS == 0
        ? VectorShape.preferredShape()
        : VectorShape.forBitSize(KernelGuards.VECTOR_BITS);
  }

  @Override
  public String name() {
    return "panama";
  }

  @Override
  public String toString() {
    return "panama (Vector API, "
        + LS.vectorBitSize()
        + "-bit vectors, "
        + (KernelGuards.FAST_FMA ? "fused multiply-add" : "multiply and add, no fast FMA")
        + ")";
  }

  @Override
  public int radiusScan(
      long[] codes,
      int words,
      int from,
      int to,
      long[] query,
      int queryOffset,
      int radius,
      int[] outOrdinals,
      int[] outDistances) {
    if (words == 1) {
      return scan64(codes, from, to, query[queryOffset], radius, outOrdinals, outDistances);
    }
    if (words == 2 && LL >= 2) {
      return scan128(
          codes,
          from,
          to,
          query[queryOffset],
          query[queryOffset + 1],
          radius,
          outOrdinals,
          outDistances);
    }
    if (words % LL == 0) {
      return scanWide(
          codes, words, from, to, query, queryOffset, radius, outOrdinals, outDistances);
    }
    return ScalarKernels.INSTANCE.radiusScan(
        codes, words, from, to, query, queryOffset, radius, outOrdinals, outDistances);
  }

  private static int scan64(
      long[] codes, int from, int to, long q, int radius, int[] outOrd, int[] outDist) {
    LongVector qv = LongVector.broadcast(LS, q);
    int n = 0;
    int i = from;
    // Four vectors per iteration and one branch on their lane-wise minimum: matches are rare, so
    // the common path is four loads, XORs and popcounts, three mins and one compare.
    int step = 4 * LL;
    int bound = from + ((to - from) / step) * step;
    for (; i < bound; i += step) {
      LongVector d0 =
          LongVector.fromArray(LS, codes, i)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      LongVector d1 =
          LongVector.fromArray(LS, codes, i + LL)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      LongVector d2 =
          LongVector.fromArray(LS, codes, i + 2 * LL)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      LongVector d3 =
          LongVector.fromArray(LS, codes, i + 3 * LL)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      if (d0.min(d1).min(d2.min(d3)).compare(VectorOperators.LE, radius).anyTrue()) {
        for (int j = i; j < i + step; j++) {
          int d = Long.bitCount(codes[j] ^ q);
          if (d <= radius) {
            outOrd[n] = j;
            outDist[n++] = d;
          }
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

  private static int scan128(
      long[] codes, int from, int to, long q0, long q1, int radius, int[] outOrd, int[] outDist) {
    long[] pattern = new long[LL];
    for (int l = 0; l < LL; l += 2) {
      pattern[l] = q0;
      pattern[l + 1] = q1;
    }
    LongVector qv = LongVector.fromArray(LS, pattern, 0);
    int perVector = LL / 2;
    int step = 4 * perVector;
    int n = 0;
    int i = from;
    int bound = from + ((to - from) / step) * step;
    for (; i < bound; i += step) {
      int w = 2 * i;
      LongVector p0 =
          LongVector.fromArray(LS, codes, w)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      LongVector p1 =
          LongVector.fromArray(LS, codes, w + LL)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      LongVector p2 =
          LongVector.fromArray(LS, codes, w + 2 * LL)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      LongVector p3 =
          LongVector.fromArray(LS, codes, w + 3 * LL)
              .lanewise(VectorOperators.XOR, qv)
              .lanewise(VectorOperators.BIT_COUNT);
      // Adding each vector to its pair-swapped self puts a code's distance in both its lanes.
      LongVector s0 = p0.add(p0.rearrange(SWAP_PAIRS));
      LongVector s1 = p1.add(p1.rearrange(SWAP_PAIRS));
      LongVector s2 = p2.add(p2.rearrange(SWAP_PAIRS));
      LongVector s3 = p3.add(p3.rearrange(SWAP_PAIRS));
      if (s0.min(s1).min(s2.min(s3)).compare(VectorOperators.LE, radius).anyTrue()) {
        for (int j = i; j < i + step; j++) {
          int d = Long.bitCount(codes[2 * j] ^ q0) + Long.bitCount(codes[2 * j + 1] ^ q1);
          if (d <= radius) {
            outOrd[n] = j;
            outDist[n++] = d;
          }
        }
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

  private static int scanWide(
      long[] codes,
      int words,
      int from,
      int to,
      long[] query,
      int qo,
      int radius,
      int[] outOrd,
      int[] outDist) {
    int n = 0;
    for (int i = from; i < to; i++) {
      int base = i * words;
      LongVector acc = LongVector.zero(LS);
      for (int w = 0; w < words; w += LL) {
        acc =
            acc.add(
                LongVector.fromArray(LS, codes, base + w)
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
      // Two accumulators measured fastest on our machines (RerankBenchmark, D = 512): with four
      // this loop took 1.07x the time of Lucene's VectorUtil, with two 0.74x.
      FloatVector acc0 = FloatVector.zero(FS);
      FloatVector acc1 = FloatVector.zero(FS);
      int bound2 = dim - 2 * FL;
      for (; i <= bound2; i += 2 * FL) {
        FloatVector d0 =
            FloatVector.fromArray(FS, a, aOffset + i)
                .sub(FloatVector.fromArray(FS, b, bOffset + i));
        FloatVector d1 =
            FloatVector.fromArray(FS, a, aOffset + i + FL)
                .sub(FloatVector.fromArray(FS, b, bOffset + i + FL));
        acc0 = fma(d0, d0, acc0);
        acc1 = fma(d1, d1, acc1);
      }
      int bound1 = dim - FL;
      for (; i <= bound1; i += FL) {
        FloatVector d =
            FloatVector.fromArray(FS, a, aOffset + i)
                .sub(FloatVector.fromArray(FS, b, bOffset + i));
        acc0 = fma(d, d, acc0);
      }
      res = sumLanes(acc0.add(acc1));
    }
    for (; i < dim; i++) {
      float d = a[aOffset + i] - b[bOffset + i];
      res = KernelGuards.fma(d, d, res);
    }
    return res;
  }

  /**
   * Bytes per float lane's worth of int8 values: a quarter of the float vector's bits. The 128-bit
   * float shape would need a 32-bit byte vector, which the Vector API has not: there the scalar
   * kernel serves.
   */
  private static final VectorSpecies<Byte> BS =
      FS.vectorBitSize() >= 256
          ? VectorSpecies.of(byte.class, VectorShape.forBitSize(FS.vectorBitSize() / 4))
          : null;

  @Override
  public float dotInt8(float[] a, int aOffset, byte[] b, int bOffset, int dim) {
    if (BS == null) {
      return ScalarKernels.INSTANCE.dotInt8(a, aOffset, b, bOffset, dim);
    }
    int i = 0;
    float res = 0;
    if (dim >= 2 * FL) {
      FloatVector acc0 = FloatVector.zero(FS);
      FloatVector acc1 = FloatVector.zero(FS);
      int bound2 = dim - 2 * FL;
      for (; i <= bound2; i += 2 * FL) {
        FloatVector b0 =
            (FloatVector)
                ByteVector.fromArray(BS, b, bOffset + i).convertShape(VectorOperators.B2F, FS, 0);
        FloatVector b1 =
            (FloatVector)
                ByteVector.fromArray(BS, b, bOffset + i + FL)
                    .convertShape(VectorOperators.B2F, FS, 0);
        acc0 = fma(FloatVector.fromArray(FS, a, aOffset + i), b0, acc0);
        acc1 = fma(FloatVector.fromArray(FS, a, aOffset + i + FL), b1, acc1);
      }
      int bound1 = dim - FL;
      for (; i <= bound1; i += FL) {
        FloatVector b0 =
            (FloatVector)
                ByteVector.fromArray(BS, b, bOffset + i).convertShape(VectorOperators.B2F, FS, 0);
        acc0 = fma(FloatVector.fromArray(FS, a, aOffset + i), b0, acc0);
      }
      res = sumLanes(acc0.add(acc1));
    }
    for (; i < dim; i++) {
      res = KernelGuards.fma(a[aOffset + i], b[bOffset + i], res);
    }
    return res;
  }

  /** Shorts with as many lanes as {@link #FS}: half its bits. */
  private static final VectorSpecies<Short> SS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));

  private static final VectorSpecies<Integer> IS =
      VectorSpecies.of(int.class, VectorShape.forBitSize(FS.vectorBitSize()));

  /**
   * Widens {@link #FL} half-precision values to floats without a table: the magnitude bits, moved
   * to a float's exponent and mantissa positions, are a float {@code 2^-112} times the half's value
   * (normal and subnormal halves alike, zero included), so one multiply rescales them; the sign bit
   * is added back separately. Infinities and NaN are never stored, so they need no case.
   */
  private static FloatVector halfToFloat(short[] b, int off) {
    IntVector h =
        (IntVector) ShortVector.fromArray(SS, b, off).convertShape(VectorOperators.S2I, IS, 0);
    FloatVector magnitude =
        h.lanewise(VectorOperators.LSHL, 13).and(0x0fffe000).reinterpretAsFloats().mul(0x1p112f);
    // S2I extends the sign, so bit 31 already holds it.
    IntVector sign = h.and(0x80000000);
    return magnitude.reinterpretAsInts().or(sign).reinterpretAsFloats();
  }

  @Override
  public float squareDistanceF16(float[] a, int aOffset, short[] b, int bOffset, int dim) {
    int i = 0;
    float res = 0;
    if (dim >= 2 * FL) {
      FloatVector acc0 = FloatVector.zero(FS);
      FloatVector acc1 = FloatVector.zero(FS);
      int bound2 = dim - 2 * FL;
      for (; i <= bound2; i += 2 * FL) {
        FloatVector d0 = FloatVector.fromArray(FS, a, aOffset + i).sub(halfToFloat(b, bOffset + i));
        FloatVector d1 =
            FloatVector.fromArray(FS, a, aOffset + i + FL).sub(halfToFloat(b, bOffset + i + FL));
        acc0 = fma(d0, d0, acc0);
        acc1 = fma(d1, d1, acc1);
      }
      int bound1 = dim - FL;
      for (; i <= bound1; i += FL) {
        FloatVector d = FloatVector.fromArray(FS, a, aOffset + i).sub(halfToFloat(b, bOffset + i));
        acc0 = fma(d, d, acc0);
      }
      res = sumLanes(acc0.add(acc1));
    }
    for (; i < dim; i++) {
      float d = a[aOffset + i] - Float.float16ToFloat(b[bOffset + i]);
      res = KernelGuards.fma(d, d, res);
    }
    return res;
  }
}
