package org.cbmir.opensearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.cbmir.index.conformance.RetrievalIndexConformance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same 20,000 slices (clustered codes, D = 256, 40 patients, removals) in the in-process index
 * and in OpenSearch; 500 random requests over every mode, radius, pool size, k, filter and
 * per-patient cap must give the same hits in the same order (FC1 near-ties within 1e-5 relative may
 * swap), the same radius and pool sizes.
 */
@ExtendWith({OpenSearchNode.class, SeedReporter.class})
class DifferentialIT {
  private static final int SLICES = 20_000;
  private static final int DIM = 256;
  private static final int PATIENTS = 40;
  private static final int REQUESTS = 500;
  private static final String MODEL = "differential-model";

  @ParameterizedTest
  @ValueSource(ints = {64, 128})
  void sameAnswersAsTheInProcessIndex(int bits) throws Exception {
    Random rnd = new Random(Robustness.SEED + bits);
    IndexConfig config =
        IndexConfig.builder()
            .bits(bits)
            .featureDimension(DIM)
            .modelFingerprint(MODEL)
            .expectedSlices(SLICES)
            .build();
    OpenSearchTarget target =
        OpenSearchNode.target("differential-" + bits).toBuilder().bulkBatchSize(1000).build();
    List<Embedding> sample = new ArrayList<>();
    try (RetrievalIndex local = RetrievalIndexes.create(config);
        RetrievalIndex remote = OpenSearchIndexes.create(target, config)) {
      long[][] centres = new long[24][];
      for (int c = 0; c < centres.length; c++) {
        centres[c] = code(rnd, bits);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < SLICES; i++) {
        long[] code = centres[rnd.nextInt(centres.length)].clone();
        for (int f = rnd.nextInt(bits / 4); f > 0; f--) {
          int b = rnd.nextInt(bits);
          code[b >>> 6] ^= 1L << (b & 63);
        }
        float[] fc1 = new float[DIM];
        for (int d = 0; d < DIM; d++) {
          fc1[d] = (float) rnd.nextGaussian();
        }
        Embedding e = Embedding.builder().code(code, bits).fc1(fc1).modelFingerprint(MODEL).build();
        SliceRef ref = ref(i);
        assertEquals(local.add(ref, e), remote.add(ref, e));
        if (i % 40 == 0) {
          sample.add(e);
        }
      }
      for (int r = 0; r < 200; r++) {
        int ord = rnd.nextInt(SLICES);
        assertEquals(local.remove(ord), remote.remove(ord));
      }
      assertEquals(local.size(), remote.size());
      System.out.printf(
          Locale.ROOT,
          "%d-bit: %d slices loaded into both in %.1f s%n",
          bits,
          SLICES,
          (System.nanoTime() - t0) / 1e9);
      int swaps = 0;
      long searchNanos = 0;
      for (int t = 0; t < REQUESTS; t++) {
        Embedding q =
            rnd.nextBoolean()
                ? sample.get(rnd.nextInt(sample.size()))
                : Embedding.builder()
                    .code(code(rnd, bits), bits)
                    .fc1(sample.get(rnd.nextInt(sample.size())).fc1())
                    .modelFingerprint(MODEL)
                    .build();
        SearchRequest req = RetrievalIndexConformance.randomRequest(rnd, PATIENTS);
        SearchResult want = local.search(q, req);
        long s0 = System.nanoTime();
        SearchResult got = remote.search(q, req);
        searchNanos += System.nanoTime() - s0;
        swaps += compare(want, got, "request " + t + " " + req);
      }
      System.out.printf(
          Locale.ROOT,
          "%d-bit: %d requests agree (%d FC1 near-tie swaps), %.1f ms a search on the node%n",
          bits,
          REQUESTS,
          swaps,
          searchNanos / 1e6 / REQUESTS);
    } finally {
      OpenSearchIndexes.delete(target);
    }
  }

  /** Asserts agreement; returns the number of near-tie swaps. */
  static int compare(SearchResult want, SearchResult got, String what) {
    int[] w = want.hits().stream().mapToInt(Hit::ordinal).toArray();
    int[] g = got.hits().stream().mapToInt(Hit::ordinal).toArray();
    String detail =
        what + ": in-process " + Arrays.toString(w) + ", OpenSearch " + Arrays.toString(g);
    assertEquals(w.length, g.length, "hit count; " + detail);
    assertEquals(want.radiusUsed(), got.radiusUsed(), "radius; " + detail);
    assertEquals(want.poolSize(), got.poolSize(), "pool size; " + detail);
    assertEquals(want.indexSize(), got.indexSize(), "eligible size; " + detail);
    int swaps = 0;
    for (int i = 0; i < w.length; i++) {
      Hit a = want.hits().get(i);
      Hit b = got.hits().get(i);
      if (a.ordinal() != b.ordinal()) {
        if (Math.abs(a.featureDistance() - b.featureDistance())
            > 1e-5 * Math.max(1, a.featureDistance())) {
          fail("rank " + (i + 1) + " differs beyond a near-tie; " + detail);
        }
        swaps++;
        continue;
      }
      assertEquals(a.ref(), b.ref(), "ref; " + detail);
      assertEquals(a.hammingDistance(), b.hammingDistance(), "Hamming distance; " + detail);
      assertEquals(
          a.featureDistance(),
          b.featureDistance(),
          1e-5 * Math.max(1, a.featureDistance()),
          "FC1 distance; " + detail);
    }
    return swaps;
  }

  private static long[] code(Random rnd, int bits) {
    long[] w = new long[Embedding.wordsFor(bits)];
    for (int i = 0; i < w.length; i++) {
      w[i] = rnd.nextLong();
    }
    return w;
  }

  private static SliceRef ref(int i) {
    int p = i % PATIENTS;
    return SliceRef.builder()
        .patientId("P" + p)
        .studyUid("1.2." + p)
        .seriesUid("1.2." + p + ".1")
        .sliceIndex(i / PATIENTS)
        .zMm(i % 3 == 0 ? Double.NaN : i * 1.25)
        .noduleClass(i % 9 == 8 ? NoduleClass.UNKNOWN : NoduleClass.ofLabel(i % 9))
        .noduleDiameterMm(i % 9 == 0 ? 0 : i % 5 == 0 ? Double.NaN : (i % 9) * 3.5)
        .build();
  }
}
