package org.cbmir.index;

import java.util.Random;
import org.cbmir.api.Embedding;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SliceRef;

/** Seeded synthetic embeddings: uniform random codes, or codes clustered around a few centres. */
final class TestData {
  static final String MODEL = "test-model-sha256";

  private TestData() {}

  static long[] randomCode(Random rnd, int bits) {
    long[] w = new long[Embedding.wordsFor(bits)];
    for (int i = 0; i < w.length; i++) {
      w[i] = rnd.nextLong();
    }
    int tail = bits & 63;
    if (tail != 0) {
      w[w.length - 1] &= (1L << tail) - 1;
    }
    return w;
  }

  /**
   * {@code n} codes: uniform when {@code clusters == 0}, else near one of {@code clusters} centres.
   */
  static long[][] codes(Random rnd, int n, int bits, int clusters, int maxFlips) {
    long[][] centres = new long[Math.max(1, clusters)][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = randomCode(rnd, bits);
    }
    long[][] out = new long[n][];
    for (int i = 0; i < n; i++) {
      if (clusters == 0) {
        out[i] = randomCode(rnd, bits);
      } else {
        long[] w = centres[rnd.nextInt(clusters)].clone();
        int flips = rnd.nextInt(maxFlips + 1);
        for (int f = 0; f < flips; f++) {
          int b = rnd.nextInt(bits);
          w[b >>> 6] ^= 1L << (b & 63);
        }
        out[i] = w;
      }
    }
    return out;
  }

  static Embedding embedding(long[] code, int bits, float[] fc1) {
    return Embedding.builder().code(code, bits).fc1(fc1).modelFingerprint(MODEL).build();
  }

  static float[] features(Random rnd, int dim) {
    float[] f = new float[dim];
    for (int i = 0; i < dim; i++) {
      f[i] = (float) rnd.nextGaussian();
    }
    return f;
  }

  static SliceRef ref(int i, int patients) {
    int p = i % patients;
    return SliceRef.builder()
        .patientId("P" + p)
        .studyUid("1.2." + p)
        .seriesUid("1.2." + p + ".1")
        .sliceIndex(i / patients)
        .zMm(i * 2.5)
        .noduleClass(NoduleClass.ofLabel(i % NoduleClass.COUNT))
        .build();
  }

  static int hamming(long[] a, long[] b) {
    int d = 0;
    for (int i = 0; i < a.length; i++) {
      d += Long.bitCount(a[i] ^ b[i]);
    }
    return d;
  }
}
