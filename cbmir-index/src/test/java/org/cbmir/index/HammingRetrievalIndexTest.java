package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Coarse-to-fine search against a brute-force model of its contract. */
@Tag("kernels")
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
    rnd = new Random(7);
    codes = new ArrayList<>();
    feats = new ArrayList<>();
    index = RetrievalIndexes.create(IndexConfig.builder().bits(BITS).featureDimension(DIM)
        .modelFingerprint(TestData.MODEL).build());
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
      if (removed.contains(i) || req.excludedPatients().contains(ref.patientId())
          || req.excludedSeries().contains(ref.seriesUid())
          || (!req.allowedClasses().isEmpty() && !req.allowedClasses().contains(ref.noduleClass()))) {
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
        .sorted(Comparator.<Integer>comparingDouble(i -> sq(feats.get(i), qf))
            .thenComparingInt(i -> i))
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
      SearchRequest req = SearchRequest.builder().k(10).hammingRadius(radius)
          .minPoolSize(t < 4 ? 50 : 2000).build();
      SearchResult r = index.search(TestData.embedding(q, BITS, qf), req);
      assertEquals(Arrays.toString(expected(q, qf, req, Set.of())), Arrays.toString(ordinals(r)),
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
  void filtersAndRemovalsAreHonoured() {
    Set<Integer> removed = Set.of(3, 10, 100, 5000);
    removed.forEach(index::remove);
    assertEquals(12000 - removed.size(), index.size());
    for (int t = 0; t < 6; t++) {
      long[] q = codes.get(rnd.nextInt(codes.size()));
      float[] qf = TestData.features(rnd, DIM);
      SearchRequest req = SearchRequest.builder().k(15).hammingRadius(3).minPoolSize(300)
          .excludePatients(Set.of("P1", "P4"))
          .excludeSeries(Set.of("1.2.2.1"))
          .allowClasses(Set.of(NoduleClass.NONE, NoduleClass.D8_13, NoduleClass.OVER_23))
          .build();
      SearchResult r = index.search(TestData.embedding(q, BITS, qf), req);
      assertEquals(Arrays.toString(expected(q, qf, req, removed)), Arrays.toString(ordinals(r)));
      for (Hit h : r.hits()) {
        assertFalse(removed.contains(h.ordinal()));
        assertFalse(Set.of("P1", "P4", "P2").contains(h.ref().patientId()));
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
  void exhaustiveAndHammingModes() {
    long[] q = TestData.randomCode(rnd, BITS);
    float[] qf = TestData.features(rnd, DIM);
    Embedding e = TestData.embedding(q, BITS, qf);
    SearchResult ex = index.search(e, SearchRequest.builder().k(7)
        .mode(SearchMode.EXHAUSTIVE_FC1).build());
    int[] exp = java.util.stream.IntStream.range(0, codes.size()).boxed()
        .sorted(Comparator.<Integer>comparingDouble(i -> sq(feats.get(i), qf))
            .thenComparingInt(i -> i))
        .limit(7).mapToInt(Integer::intValue).toArray();
    assertEquals(Arrays.toString(exp), Arrays.toString(ordinals(ex)));
    assertEquals(CoarseStrategy.NONE, ex.strategy());
    assertEquals(1.0, ex.fineStageFraction(), 1e-9);

    SearchResult hm = index.search(e, SearchRequest.builder().k(9).mode(SearchMode.HAMMING).build());
    int[] expH = java.util.stream.IntStream.range(0, codes.size()).boxed()
        .sorted(Comparator.<Integer>comparingInt(i -> TestData.hamming(codes.get(i), q))
            .thenComparingInt(i -> i))
        .limit(9).mapToInt(Integer::intValue).toArray();
    assertEquals(Arrays.toString(expH), Arrays.toString(ordinals(hm)));
    assertEquals(0, hm.fineStageCount());
  }

  @Test
  void batchEqualsSingleSearches() {
    List<Embedding> qs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      qs.add(TestData.embedding(TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM)));
    }
    SearchRequest req = SearchRequest.builder().k(5).hammingRadius(6).minPoolSize(100).build();
    List<SearchResult> batch = index.searchBatch(qs, req);
    for (int i = 0; i < qs.size(); i++) {
      assertEquals(Arrays.toString(ordinals(index.search(qs.get(i), req))),
          Arrays.toString(ordinals(batch.get(i))), "query " + i);
    }
  }

  @Test
  void multiIndexHashingIsChosenForSelectiveQueriesOnLargeIndexes() {
    // Uniform codes: few within radius 2, so probing buckets beats scanning everything.
    IndexConfig cfg = IndexConfig.builder().bits(64).featureDimension(2)
        .modelFingerprint(TestData.MODEL).expectedSlices(200_000).build();
    try (RetrievalIndex big = RetrievalIndexes.create(cfg)) {
      Random r = new Random(1);
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
      SearchResult far = big.search(TestData.embedding(TestData.randomCode(r, 64), 64,
          new float[2]), req);
      assertEquals(CoarseStrategy.LINEAR_SCAN, far.strategy());
      assertTrue(res.fineStageFraction() < 0.01, "fraction " + res.fineStageFraction());
    }
  }

  @Test
  void badInputIsRejectedAndTheIndexStaysUsable() {
    float[] f = TestData.features(rnd, DIM);
    var wrongBits = TestData.embedding(TestData.randomCode(rnd, 128), 128, f);
    var wrongDim = TestData.embedding(codes.get(0), BITS, new float[DIM + 1]);
    var wrongModel = Embedding.builder().code(codes.get(0), BITS).fc1(f).modelFingerprint("other")
        .build();
    var ref = TestData.ref(0, 1);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> index.add(ref, wrongBits))
        .getMessage().contains("128-bit"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> index.add(ref, wrongDim))
        .getMessage().contains("14 FC1"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> index.add(ref, wrongModel))
        .getMessage().contains("other"));
    assertThrows(IllegalArgumentException.class,
        () -> index.search(wrongBits, SearchRequest.defaults()));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> index.remove(12000))
        .getMessage().contains("0..11999"));
    assertThrows(IllegalArgumentException.class, () -> index.ref(-1));
    assertEquals(12000, index.size());
    assertEquals(10, index.search(TestData.embedding(codes.get(1), BITS, f),
        SearchRequest.defaults()).hits().size());
  }

  @Test
  void kLargerThanTheIndexReturnsEverything() {
    try (RetrievalIndex small = RetrievalIndexes.create(IndexConfig.builder().bits(64)
        .featureDimension(DIM).modelFingerprint(TestData.MODEL).build())) {
      for (int i = 0; i < 5; i++) {
        small.add(TestData.ref(i, 2), TestData.embedding(codes.get(i), BITS, feats.get(i)));
      }
      SearchResult r = small.search(TestData.embedding(codes.get(0), BITS, feats.get(0)),
          SearchRequest.builder().k(50).build());
      assertEquals(5, r.hits().size());
      assertEquals(0, r.hits().get(0).ordinal());
    }
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() {
    index.close();
    index.close();
    assertThrows(IllegalStateException.class, index::size);
    assertThrows(IllegalStateException.class,
        () -> index.search(TestData.embedding(codes.get(0), BITS, feats.get(0)),
            SearchRequest.defaults()));
  }
}
