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
    // Four vectors per iteration and one branch on their lane-wise minimum: matches are rare, so
    // the common path is four loads, XORs and popcounts, three mins and one compare.
    int step = 4 * LL;
    int bound = from + ((to - from) / step) * step;
    for (; i < bound; i += step) {
      LongVector d0 = LongVector.fromArray(LS, codes, i)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      LongVector d1 = LongVector.fromArray(LS, codes, i + LL)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      LongVector d2 = LongVector.fromArray(LS, codes, i + 2 * LL)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      LongVector d3 = LongVector.fromArray(LS, codes, i + 3 * LL)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
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

  private static int scan128(long[] codes, int from, int to, long q0, long q1, int radius,
      int[] outOrd, int[] outDist) {
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
      LongVector p0 = LongVector.fromArray(LS, codes, w)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      LongVector p1 = LongVector.fromArray(LS, codes, w + LL)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      LongVector p2 = LongVector.fromArray(LS, codes, w + 2 * LL)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
      LongVector p3 = LongVector.fromArray(LS, codes, w + 3 * LL)
          .lanewise(VectorOperators.XOR, qv).lanewise(VectorOperators.BIT_COUNT);
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
  public void squareDistance4(float[] q, int qOffset, float[] r0, int o0, float[] r1, int o1,
      float[] r2, int o2, float[] r3, int o3, int dim, float[] out, int outOffset) {
    // The same arithmetic, in the same order, as squareDistance for each row (so a row's distance
    // does not depend on which rows share its call), with each query load serving four rows.
    if (dim < 2 * FL) {
      out[outOffset] = squareDistance(q, qOffset, r0, o0, dim);
      out[outOffset + 1] = squareDistance(q, qOffset, r1, o1, dim);
      out[outOffset + 2] = squareDistance(q, qOffset, r2, o2, dim);
      out[outOffset + 3] = squareDistance(q, qOffset, r3, o3, dim);
      return;
    }
    // Written out by hand: vectors kept in arrays would be boxed, not kept in registers.
    FloatVector a00 = FloatVector.zero(FS);
    FloatVector a01 = FloatVector.zero(FS);
    FloatVector a02 = FloatVector.zero(FS);
    FloatVector a03 = FloatVector.zero(FS);
    FloatVector a10 = FloatVector.zero(FS);
    FloatVector a11 = FloatVector.zero(FS);
    FloatVector a12 = FloatVector.zero(FS);
    FloatVector a13 = FloatVector.zero(FS);
    FloatVector a20 = FloatVector.zero(FS);
    FloatVector a21 = FloatVector.zero(FS);
    FloatVector a22 = FloatVector.zero(FS);
    FloatVector a23 = FloatVector.zero(FS);
    FloatVector a30 = FloatVector.zero(FS);
    FloatVector a31 = FloatVector.zero(FS);
    FloatVector a32 = FloatVector.zero(FS);
    FloatVector a33 = FloatVector.zero(FS);
    int i = 0;
    int bound4 = dim - 4 * FL;
    for (; i <= bound4; i += 4 * FL) {
      FloatVector q0 = FloatVector.fromArray(FS, q, qOffset + i);
      FloatVector q1 = FloatVector.fromArray(FS, q, qOffset + i + FL);
      FloatVector q2 = FloatVector.fromArray(FS, q, qOffset + i + 2 * FL);
      FloatVector q3 = FloatVector.fromArray(FS, q, qOffset + i + 3 * FL);
      FloatVector d00 = q0.sub(FloatVector.fromArray(FS, r0, o0 + i));
      FloatVector d01 = q1.sub(FloatVector.fromArray(FS, r0, o0 + i + FL));
      FloatVector d02 = q2.sub(FloatVector.fromArray(FS, r0, o0 + i + 2 * FL));
      FloatVector d03 = q3.sub(FloatVector.fromArray(FS, r0, o0 + i + 3 * FL));
      FloatVector d10 = q0.sub(FloatVector.fromArray(FS, r1, o1 + i));
      FloatVector d11 = q1.sub(FloatVector.fromArray(FS, r1, o1 + i + FL));
      FloatVector d12 = q2.sub(FloatVector.fromArray(FS, r1, o1 + i + 2 * FL));
      FloatVector d13 = q3.sub(FloatVector.fromArray(FS, r1, o1 + i + 3 * FL));
      FloatVector d20 = q0.sub(FloatVector.fromArray(FS, r2, o2 + i));
      FloatVector d21 = q1.sub(FloatVector.fromArray(FS, r2, o2 + i + FL));
      FloatVector d22 = q2.sub(FloatVector.fromArray(FS, r2, o2 + i + 2 * FL));
      FloatVector d23 = q3.sub(FloatVector.fromArray(FS, r2, o2 + i + 3 * FL));
      FloatVector d30 = q0.sub(FloatVector.fromArray(FS, r3, o3 + i));
      FloatVector d31 = q1.sub(FloatVector.fromArray(FS, r3, o3 + i + FL));
      FloatVector d32 = q2.sub(FloatVector.fromArray(FS, r3, o3 + i + 2 * FL));
      FloatVector d33 = q3.sub(FloatVector.fromArray(FS, r3, o3 + i + 3 * FL));
      a00 = d00.fma(d00, a00);
      a01 = d01.fma(d01, a01);
      a02 = d02.fma(d02, a02);
      a03 = d03.fma(d03, a03);
      a10 = d10.fma(d10, a10);
      a11 = d11.fma(d11, a11);
      a12 = d12.fma(d12, a12);
      a13 = d13.fma(d13, a13);
      a20 = d20.fma(d20, a20);
      a21 = d21.fma(d21, a21);
      a22 = d22.fma(d22, a22);
      a23 = d23.fma(d23, a23);
      a30 = d30.fma(d30, a30);
      a31 = d31.fma(d31, a31);
      a32 = d32.fma(d32, a32);
      a33 = d33.fma(d33, a33);
    }
    int bound1 = dim - FL;
    for (; i <= bound1; i += FL) {
      FloatVector qv = FloatVector.fromArray(FS, q, qOffset + i);
      FloatVector e0 = qv.sub(FloatVector.fromArray(FS, r0, o0 + i));
      a00 = e0.fma(e0, a00);
      FloatVector e1 = qv.sub(FloatVector.fromArray(FS, r1, o1 + i));
      a10 = e1.fma(e1, a10);
      FloatVector e2 = qv.sub(FloatVector.fromArray(FS, r2, o2 + i));
      a20 = e2.fma(e2, a20);
      FloatVector e3 = qv.sub(FloatVector.fromArray(FS, r3, o3 + i));
      a30 = e3.fma(e3, a30);
    }
    out[outOffset + 0] = tail(q, qOffset, r0, o0, i, dim,
        a00.add(a01).add(a02.add(a03)).reduceLanes(VectorOperators.ADD));
    out[outOffset + 1] = tail(q, qOffset, r1, o1, i, dim,
        a10.add(a11).add(a12.add(a13)).reduceLanes(VectorOperators.ADD));
    out[outOffset + 2] = tail(q, qOffset, r2, o2, i, dim,
        a20.add(a21).add(a22.add(a23)).reduceLanes(VectorOperators.ADD));
    out[outOffset + 3] = tail(q, qOffset, r3, o3, i, dim,
        a30.add(a31).add(a32.add(a33)).reduceLanes(VectorOperators.ADD));
  }

  private static float tail(float[] q, int qo, float[] r, int ro, int from, int dim,
      float res) {
    for (int j = from; j < dim; j++) {
      float d = q[qo + j] - r[ro + j];
      res = Math.fma(d, d, res);
    }
    return res;
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
