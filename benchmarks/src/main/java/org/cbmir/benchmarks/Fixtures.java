package org.cbmir.benchmarks;

import java.util.Random;
import org.cbmir.api.Embedding;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SliceRef;
import org.cbmir.index.HammingRetrievalIndex;

/** Seeded benchmark data: the same arrays in every run, so runs compare. */
final class Fixtures {
  static final String MODEL = "benchmark-model";

  private Fixtures() {}

  /** {@code n} uniformly random codes of {@code words} words, flat. */
  static long[] uniformCodes(int n, int words, long seed) {
    Random rnd = new Random(seed);
    long[] c = new long[n * words];
    for (int i = 0; i < c.length; i++) {
      c[i] = rnd.nextLong();
    }
    return c;
  }

  /**
   * An index of the {@code n} codes of {@link #uniformCodes(int, int, long)} (features of dimension
   * 1, zero): the very codes {@link DumpCodes} writes for the FAISS peer.
   */
  static HammingRetrievalIndex uniformIndex(int n, int bits, long seed) {
    int words = Embedding.wordsFor(bits);
    long[] codes = uniformCodes(n, words, seed);
    RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(bits)
                .featureDimension(1)
                .modelFingerprint(MODEL)
                .expectedSlices(n)
                .build());
    long[] code = new long[words];
    float[] f = new float[1];
    for (int i = 0; i < n; i++) {
      System.arraycopy(codes, i * words, code, 0, words);
      index.add(
          ref(i), Embedding.builder().code(code, bits).fc1(f).modelFingerprint(MODEL).build());
    }
    return (HammingRetrievalIndex) index;
  }

  /**
   * An index of {@code n} slices whose codes and features form {@code clusters} clusters, as a
   * trained encoder's do: each slice is a centre with a few code bits flipped and Gaussian noise on
   * its features. With {@code clusters == 0} codes are uniform and features random.
   */
  static HammingRetrievalIndex index(int n, int bits, int dim, int clusters, long seed) {
    return clustered(n, bits, dim, clusters, seed).index();
  }

  /** An index and the cluster centres its slices were drawn around. */
  @SuppressWarnings("ArrayRecordComponent") // benchmark fixture, never compared
  record Clustered(HammingRetrievalIndex index, long[][] codeCentres, float[][] featureCentres) {}

  /** See {@link #index}; also returns the centres, for making queries near the data. */
  static Clustered clustered(int n, int bits, int dim, int clusters, long seed) {
    return clustered(n, bits, dim, clusters, seed, FeatureStorage.FLOAT32);
  }

  /** {@link #clustered(int, int, int, int, long)} with features kept as {@code storage}. */
  static Clustered clustered(
      int n, int bits, int dim, int clusters, long seed, FeatureStorage storage) {
    Random rnd = new Random(seed);
    int words = Embedding.wordsFor(bits);
    int nc = Math.max(1, clusters);
    Clustered drawn = centres(rnd, bits, dim, nc, null);
    long[][] centres = drawn.codeCentres();
    float[][] fcentres = drawn.featureCentres();
    RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(bits)
                .featureDimension(dim)
                .modelFingerprint(MODEL)
                .expectedSlices(n)
                .featureStorage(storage)
                .build());
    long[] code = new long[words];
    float[] f = new float[dim];
    for (int i = 0; i < n; i++) {
      int c = rnd.nextInt(nc);
      for (int w = 0; w < words; w++) {
        code[w] = clusters == 0 ? rnd.nextLong() : centres[c][w];
      }
      if (clusters != 0) {
        for (int k = rnd.nextInt(6); k > 0; k--) {
          int b = rnd.nextInt(bits);
          code[b >>> 6] ^= 1L << (b & 63);
        }
      }
      for (int d = 0; d < dim; d++) {
        f[d] = (clusters == 0 ? 0 : fcentres[c][d]) + 0.3f * (float) rnd.nextGaussian();
      }
      index.add(
          ref(i), Embedding.builder().code(code, bits).fc1(f).modelFingerprint(MODEL).build());
    }
    return new Clustered((HammingRetrievalIndex) index, centres, fcentres);
  }

  /**
   * The cluster centres {@link #clustered} draws first from its seed, with {@code index} beside
   * them: queries for an index saved by an earlier run without building it again.
   */
  static Clustered centres(
      long seed, int bits, int dim, int clusters, HammingRetrievalIndex index) {
    return centres(new Random(seed), bits, dim, Math.max(1, clusters), index);
  }

  private static Clustered centres(
      Random rnd, int bits, int dim, int nc, HammingRetrievalIndex index) {
    int words = Embedding.wordsFor(bits);
    long[][] centres = new long[nc][words];
    float[][] fcentres = new float[nc][dim];
    for (int c = 0; c < nc; c++) {
      for (int w = 0; w < words; w++) {
        centres[c][w] = rnd.nextLong();
      }
      for (int d = 0; d < dim; d++) {
        fcentres[c][d] = (float) rnd.nextGaussian();
      }
    }
    return new Clustered(index, centres, fcentres);
  }

  /** {@code n} queries, each near a cluster centre drawn at random with {@code seed}. */
  static Embedding[] queriesNear(Clustered data, int n, int bits, long seed) {
    Random rnd = new Random(seed);
    Embedding[] out = new Embedding[n];
    for (int i = 0; i < n; i++) {
      int c = rnd.nextInt(data.codeCentres().length);
      out[i] = queryNear(data.codeCentres()[c], data.featureCentres()[c], bits, rnd);
    }
    return out;
  }

  /** A query near a cluster centre: a few bits flipped, features jittered like the slices'. */
  static Embedding queryNear(long[] code, float[] features, int bits, Random rnd) {
    long[] q = code.clone();
    for (int k = 0; k < 3; k++) {
      int b = rnd.nextInt(bits);
      q[b >>> 6] ^= 1L << (b & 63);
    }
    float[] f = features.clone();
    for (int d = 0; d < f.length; d++) {
      f[d] += 0.3f * (float) rnd.nextGaussian();
    }
    return Embedding.builder().code(q, bits).fc1(f).modelFingerprint(MODEL).build();
  }

  /** Slice {@code i} of the fixtures: series of 300 slices, one patient each. */
  private static SliceRef ref(int i) {
    return SliceRef.builder()
        .patientId("P" + (i / 300))
        .seriesUid("S" + (i / 300))
        .sliceIndex(i % 300)
        .build();
  }
}
