package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the in-process index promises beyond the conformance suite ({@code
 * conformance.InProcessIndexConformanceTest}): bit-exact agreement with a model that rounds FC1
 * distances as the kernel does, and the cost model's choice of multi-index hashing.
 */
@Tag("kernels")
@ExtendWith(SeedReporter.class)
class HammingRetrievalIndexTest {
  static final int BITS = 64;
  static final int DIM = 13;
  static final int PATIENTS = 9;

  private Random rnd;
  private List<long[]> codes;
  private List<float[]> feats;
  private RetrievalIndex index;

  @BeforeEach
  void fill() {
    rnd = new Random(Robustness.SEED + 7);
    codes = new ArrayList<>();
    feats = new ArrayList<>();
    index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(BITS)
                .featureDimension(DIM)
                .modelFingerprint(TestData.MODEL)
                .build());
    int n = 12000;
    long[][] cs = TestData.codes(rnd, n, BITS, 6, 10);
    for (int i = 0; i < n; i++) {
      float[] f = TestData.features(rnd, DIM);
      codes.add(cs[i]);
      feats.add(f);
      assertEquals(i, index.add(TestData.ref(i, PATIENTS), TestData.embedding(cs[i], BITS, f)));
    }
  }

  /** The contract, computed by brute force: ordinals in result order. */
  private int[] expected(long[] q, float[] qf, SearchRequest req, Set<Integer> removed) {
    List<Integer> allowed = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      var ref = TestData.ref(i, PATIENTS);
      if (removed.contains(i)
          || req.excludedPatients().contains(ref.patientId())
          || req.excludedSeries().contains(ref.seriesUid())
          || (!req.allowedClasses().isEmpty()
              && !req.allowedClasses().contains(ref.noduleClass()))) {
        continue;
      }
      allowed.add(i);
    }
    int target = Math.min(req.minPoolSize(), allowed.size());
    int radius = req.hammingRadius();
    while (radius < BITS) {
      final int r = radius;
      long within = allowed.stream().filter(i -> TestData.hamming(codes.get(i), q) <= r).count();
      if (within >= target) {
        break;
      }
      radius++;
    }
    final int r = radius;
    return allowed.stream()
        .filter(i -> TestData.hamming(codes.get(i), q) <= r)
        .sorted(
            Comparator.<Integer>comparingDouble(i -> sq(feats.get(i), qf)).thenComparingInt(i -> i))
        .limit(req.k())
        .mapToInt(Integer::intValue)
        .toArray();
  }

  private static double sq(float[] a, float[] b) {
    // The index ranks by the kernel's float result; the model must round the same way.
    return org.cbmir.index.kernels.Kernels.squareDistance(a, 0, b, 0, a.length);
  }

  private static int[] ordinals(SearchResult r) {
    return r.hits().stream().mapToInt(Hit::ordinal).toArray();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 2, 5, 12})
  void coarseToFineMatchesBruteForce(int radius) {
    for (int t = 0; t < 8; t++) {
      long[] q = t % 2 == 0 ? codes.get(rnd.nextInt(codes.size())) : TestData.randomCode(rnd, BITS);
      float[] qf = TestData.features(rnd, DIM);
      SearchRequest req =
          SearchRequest.builder()
              .k(10)
              .hammingRadius(radius)
              .minPoolSize(t < 4 ? 50 : 2000)
              .build();
      SearchResult r = index.search(TestData.embedding(q, BITS, qf), req);
      assertEquals(
          Arrays.toString(expected(q, qf, req, Set.of())),
          Arrays.toString(ordinals(r)),
          "query " + t + " via " + r.strategy());
      assertTrue(r.poolSize() >= req.minPoolSize(), "pool widened to m");
      assertTrue(r.radiusUsed() >= radius);
      for (Hit h : r.hits()) {
        assertEquals(TestData.hamming(codes.get(h.ordinal()), q), h.hammingDistance());
        assertTrue(h.hammingDistance() <= r.radiusUsed());
        assertEquals(Math.sqrt(sq(feats.get(h.ordinal()), qf)), h.featureDistance(), 1e-4);
      }
    }
  }

  @Test
  void perPatientCapLimitsHits() {
    long[] q = codes.get(0);
    SearchRequest req = SearchRequest.builder().k(20).maxHitsPerPatient(2).minPoolSize(20).build();
    SearchResult r = index.search(TestData.embedding(q, BITS, feats.get(0)), req);
    assertEquals(18, r.hits().size(), "9 patients x 2 hits");
    var counts = new java.util.HashMap<String, Integer>();
    r.hits().forEach(h -> counts.merge(h.ref().patientId(), 1, Integer::sum));
    assertTrue(counts.values().stream().allMatch(c -> c <= 2), counts.toString());
    assertEquals(0, r.hits().get(0).ordinal(), "the slice itself ranks first");
  }

  @Test
  void multiIndexHashingIsChosenForSelectiveQueriesOnLargeIndexes() {
    // Uniform codes: few within radius 2, so probing buckets beats scanning everything.
    IndexConfig cfg =
        IndexConfig.builder()
            .bits(64)
            .featureDimension(2)
            .modelFingerprint(TestData.MODEL)
            .expectedSlices(200_000)
            .build();
    try (RetrievalIndex big = RetrievalIndexes.create(cfg)) {
      Random r = new Random(Robustness.SEED + 1);
      long[] known = null;
      for (int i = 0; i < 200_000; i++) {
        long[] c = TestData.randomCode(r, 64);
        known = i == 123_456 ? c : known;
        big.add(TestData.ref(i, 100), TestData.embedding(c, 64, new float[] {i, 1}));
      }
      // A near-duplicate of an indexed slice: its bucket holds the answer at level 0.
      SearchRequest req = SearchRequest.builder().k(1).hammingRadius(2).minPoolSize(1).build();
      SearchResult res = big.search(TestData.embedding(known, 64, new float[2]), req);
      assertEquals(CoarseStrategy.MULTI_INDEX_HASHING, res.strategy());
      assertEquals(123_456, res.hits().get(0).ordinal());
      // Far from everything, widening by probing would cost more than one scan.
      SearchResult far =
          big.search(TestData.embedding(TestData.randomCode(r, 64), 64, new float[2]), req);
      assertEquals(CoarseStrategy.LINEAR_SCAN, far.strategy());
      assertTrue(res.fineStageFraction() < 0.01, "fraction " + res.fineStageFraction());
    }
  }
}
