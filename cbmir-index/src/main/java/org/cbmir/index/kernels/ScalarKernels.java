package org.cbmir.index.kernels;

/**
 * Plain-Java kernels: the reference the Vector API kernels are tested against, and the fallback
 * when {@code jdk.incubator.vector} is not added to the JVM. {@link Long#bitCount} compiles to a
 * {@code popcnt} instruction on x86 and aarch64, so the scalar scan is still reasonably fast.
 *
 * <p>Thread-safety: stateless and thread-safe.
 */
public final class ScalarKernels implements KernelSupport {

  /** The shared instance. */
  public static final ScalarKernels INSTANCE = new ScalarKernels();

  private ScalarKernels() {}

  @Override
  public String name() {
    return "scalar";
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
    int n = 0;
    if (words == 1) {
      long q = query[queryOffset];
      for (int i = from; i < to; i++) {
        int d = Long.bitCount(codes[i] ^ q);
        if (d <= radius) {
          outOrdinals[n] = i;
          outDistances[n++] = d;
        }
      }
    } else if (words == 2) {
      long q0 = query[queryOffset];
      long q1 = query[queryOffset + 1];
      for (int i = from; i < to; i++) {
        int d = Long.bitCount(codes[2 * i] ^ q0) + Long.bitCount(codes[2 * i + 1] ^ q1);
        if (d <= radius) {
          outOrdinals[n] = i;
          outDistances[n++] = d;
        }
      }
    } else {
      for (int i = from; i < to; i++) {
        int base = i * words;
        int d = 0;
        // Stop early once past the radius: long codes are mostly far apart.
        for (int w = 0; w < words && d <= radius; w++) {
          d += Long.bitCount(codes[base + w] ^ query[queryOffset + w]);
        }
        if (d <= radius) {
          outOrdinals[n] = i;
          outDistances[n++] = d;
        }
      }
    }
    return n;
  }

  @Override
  public float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int dim) {
    // Four independent accumulators let the CPU overlap the additions; the order of summation is
    // part of this reference's contract only up to rounding.
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < dim; i += 4) {
      float d0 = a[aOffset + i] - b[bOffset + i];
      float d1 = a[aOffset + i + 1] - b[bOffset + i + 1];
      float d2 = a[aOffset + i + 2] - b[bOffset + i + 2];
      float d3 = a[aOffset + i + 3] - b[bOffset + i + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < dim; i++) {
      float d = a[aOffset + i] - b[bOffset + i];
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float dotInt8(float[] a, int aOffset, byte[] b, int bOffset, int dim) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < dim; i += 4) {
      s0 = KernelGuards.fma(a[aOffset + i], b[bOffset + i], s0);
      s1 = KernelGuards.fma(a[aOffset + i + 1], b[bOffset + i + 1], s1);
      s2 = KernelGuards.fma(a[aOffset + i + 2], b[bOffset + i + 2], s2);
      s3 = KernelGuards.fma(a[aOffset + i + 3], b[bOffset + i + 3], s3);
    }
    for (; i < dim; i++) {
      s0 = KernelGuards.fma(a[aOffset + i], b[bOffset + i], s0);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float squareDistanceF16(float[] a, int aOffset, short[] b, int bOffset, int dim) {
    float s0 = 0;
    float s1 = 0;
    int i = 0;
    for (; i + 1 < dim; i += 2) {
      float d0 = a[aOffset + i] - Float.float16ToFloat(b[bOffset + i]);
      float d1 = a[aOffset + i + 1] - Float.float16ToFloat(b[bOffset + i + 1]);
      s0 = KernelGuards.fma(d0, d0, s0);
      s1 = KernelGuards.fma(d1, d1, s1);
    }
    for (; i < dim; i++) {
      float d = a[aOffset + i] - Float.float16ToFloat(b[bOffset + i]);
      s0 = KernelGuards.fma(d, d, s0);
    }
    return s0 + s1;
  }
}
