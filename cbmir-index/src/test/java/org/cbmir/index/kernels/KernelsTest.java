package org.cbmir.index.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kernel in use against the scalar reference, on sizes that exercise every tail loop. */
@Tag("kernels")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(SeedReporter.class)
class KernelsTest {
  private final KernelSupport impl = Kernels.implementation();
  private final KernelSupport ref = Kernels.scalar();

  @Test
  void chosenImplementationMatchesTheJvm() {
    boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    assertEquals(
        vectorModule ? "panama" : "scalar",
        impl.name(),
        "the Vector API kernels must be used exactly when the module is present");
  }

  @Test
  void theVectorWidthIsTheOneAskedFor() {
    String bits = System.getProperty(KernelGuards.VECTOR_BITS_PROPERTY, "");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        !bits.isEmpty() && impl.name().equals("panama"),
        "runs in the build's executions that set -D" + KernelGuards.VECTOR_BITS_PROPERTY);
    assertTrue(impl.toString().contains(bits + "-bit vectors"), impl.toString());
  }

  @Test
  void fusedMultiplyAddFollowsTheHardwareOrTheProperty() {
    assertEquals(KernelGuards.fastFma(), KernelGuards.FAST_FMA);
    assertEquals(1f * 3f + 2f, KernelGuards.fma(1f, 3f, 2f));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 8, 16})
  void radiusScanMatchesScalarReference(int words) {
    Random rnd = new Random(Robustness.SEED + (42 + words));
    for (int n : new int[] {0, 1, 7, 13, 31, 100, 1001}) {
      long[] codes = new long[n * words + 3];
      for (int i = 0; i < codes.length; i++) {
        codes[i] = rnd.nextLong();
      }
      long[] query = new long[words + 2];
      for (int i = 0; i < query.length; i++) {
        query[i] = rnd.nextLong();
      }
      // Make some codes near the query so that matches exist at every radius.
      for (int i = 0; i < n; i += 5) {
        for (int w = 0; w < words; w++) {
          codes[i * words + w] = query[1 + w] ^ (rnd.nextInt(3) == 0 ? 1L << rnd.nextInt(64) : 0);
        }
      }
      int bits = 64 * words;
      for (int radius : new int[] {0, 1, 3, bits / 2 - 4, bits / 2, bits}) {
        for (int from : new int[] {0, Math.min(n, 3)}) {
          int to = Math.max(from, n - (n > 5 ? 2 : 0));
          int[] o1 = new int[n + 1];
          int[] d1 = new int[n + 1];
          int[] o2 = new int[n + 1];
          int[] d2 = new int[n + 1];
          int c1 = impl.radiusScan(codes, words, from, to, query, 1, radius, o1, d1);
          int c2 = ref.radiusScan(codes, words, from, to, query, 1, radius, o2, d2);
          String what = "words=" + words + " n=" + n + " r=" + radius + " from=" + from;
          assertEquals(c2, c1, what);
          assertArrayEquals(Arrays.copyOf(o2, c2), Arrays.copyOf(o1, c1), what);
          assertArrayEquals(Arrays.copyOf(d2, c2), Arrays.copyOf(d1, c1), what);
          for (int j = 0; j < c1; j++) {
            assertEquals(ref.distance(codes, words, o1[j], query, 1), d1[j], what);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 13, 16, 64, 255, 256, 257, 511, 512, 1023})
  void squareDistanceMatchesScalarReference(int dim) {
    Random rnd = new Random(Robustness.SEED + (dim));
    float[] a = new float[dim + 5];
    float[] b = new float[dim + 9];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) rnd.nextGaussian();
    }
    double exact = 0;
    for (int i = 0; i < dim; i++) {
      double d = (double) a[3 + i] - b[7 + i];
      exact += d * d;
    }
    float got = impl.squareDistance(a, 3, b, 7, dim);
    float reference = ref.squareDistance(a, 3, b, 7, dim);
    double tol = 1e-5 * Math.max(1, exact);
    assertEquals(exact, got, tol, "dim " + dim);
    assertEquals(exact, reference, tol, "dim " + dim);
    assertEquals(0f, impl.squareDistance(a, 3, a, 3, dim), "distance to itself");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 13, 15, 16, 17, 31, 64, 255, 256, 257, 511, 1023})
  void int8DotProductMatchesScalarReference(int dim) {
    Random rnd = new Random(Robustness.SEED + (31 * dim));
    float[] a = new float[dim + 5];
    byte[] b = new byte[dim + 9];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (rnd.nextInt(255) - 127);
    }
    double exact = 0;
    for (int i = 0; i < dim; i++) {
      exact += (double) a[3 + i] * b[7 + i];
    }
    double tol = 1e-5 * Math.max(1, Math.abs(exact) + 127 * dim);
    assertEquals(exact, impl.dotInt8(a, 3, b, 7, dim), tol, "dim " + dim);
    assertEquals(exact, ref.dotInt8(a, 3, b, 7, dim), tol, "dim " + dim);
    assertEquals(
        impl.dotInt8(a, 3, b, 7, dim), impl.dotInt8(a, 3, b, 7, dim), "the same bits every time");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 13, 15, 16, 17, 31, 64, 255, 256, 257, 511, 1023})
  void float16DistanceMatchesScalarReference(int dim) {
    Random rnd = new Random(Robustness.SEED + (17 * dim));
    float[] a = new float[dim + 5];
    short[] b = new short[dim + 9];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      // Normal, subnormal, zero, negative zero and the largest halves all occur.
      float v =
          switch (i % 7) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> (float) (rnd.nextGaussian() * 1e-6); // subnormal in half precision
            case 3 -> rnd.nextBoolean() ? 65504f : -65504f;
            default -> (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 2));
          };
      b[i] = Float.floatToFloat16(v);
    }
    double exact = 0;
    for (int i = 0; i < dim; i++) {
      double d = (double) a[3 + i] - Float.float16ToFloat(b[7 + i]);
      exact += d * d;
    }
    double tol = 1e-5 * Math.max(1, exact);
    assertEquals(exact, impl.squareDistanceF16(a, 3, b, 7, dim), tol, "dim " + dim);
    assertEquals(exact, ref.squareDistanceF16(a, 3, b, 7, dim), tol, "dim " + dim);
    short[] self = new short[dim];
    float[] selfF = new float[dim];
    for (int i = 0; i < dim; i++) {
      self[i] = b[7 + i];
      selfF[i] = Float.float16ToFloat(b[7 + i]);
    }
    assertEquals(0f, impl.squareDistanceF16(selfF, 0, self, 0, dim), "distance to itself");
  }

  @Test
  void everyHalfWidensToItsValue() {
    // All 63,488 finite halves, one lane position each, against Float.float16ToFloat.
    float[] zeros = new float[1];
    for (int h = 0; h < 0x10000; h++) {
      short v = (short) h;
      float f = Float.float16ToFloat(v);
      if (!Float.isFinite(f)) {
        continue;
      }
      short[] row = new short[64];
      java.util.Arrays.fill(row, v);
      float[] q = new float[64];
      java.util.Arrays.fill(q, f);
      // Exactly zero only if every lane widened to exactly f, sign included.
      assertEquals(
          0f,
          impl.squareDistanceF16(q, 0, row, 0, 64),
          "half 0x" + Integer.toHexString(h) + " = " + f);
      assertEquals(f * f, impl.squareDistanceF16(zeros, 0, row, 0, 1), "tail, half " + h);
    }
  }

  @Test
  @Order(0)
  void theSameDistanceGivesTheSameBitsBeforeAndAfterWarmUp() {
    // Run first in a fresh JVM (surefire forks one per module), so the first calls are
    // interpreted; thousands later the JIT has compiled the kernel.
    Random rnd = new Random(Robustness.SEED + 42);
    int n = 64;
    float[][] a = new float[n][];
    float[][] b = new float[n][];
    int[] first = new int[n];
    for (int q = 0; q < n; q++) {
      int dim = 16 + rnd.nextInt(600);
      a[q] = new float[dim];
      b[q] = new float[dim];
      for (int i = 0; i < dim; i++) {
        a[q][i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 2));
        b[q][i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 2));
      }
      first[q] = Float.floatToRawIntBits(impl.squareDistance(a[q], 0, b[q], 0, dim));
    }
    float sink = 0;
    for (int i = 0; i < 300_000; i++) {
      int q = i % n;
      sink += impl.squareDistance(a[q], 0, b[q], 0, a[q].length);
    }
    assertTrue(sink > 0);
    for (int q = 0; q < n; q++) {
      assertEquals(
          first[q],
          Float.floatToRawIntBits(impl.squareDistance(a[q], 0, b[q], 0, a[q].length)),
          "bits of distance " + q + " after warm-up");
    }
  }
}
