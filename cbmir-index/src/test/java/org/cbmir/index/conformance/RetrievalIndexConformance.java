package org.cbmir.index.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The conformance suite of {@link RetrievalIndex}: every implementation (the in-process index, a
 * distributed one) extends this class, supplies {@link #create}, and must give the answers of the
 * brute-force {@link SearchModel}, which is the search semantics of {@code docs/SEARCH.md}: the
 * same hits in the same order (FC1 ties within 1e-5 relative may swap), the same radius and pool
 * size, the filters, removals, per-patient cap, modes and batch searches, and the same bad input
 * rejected.
 *
 * <p>Randomised tests draw from {@code -Dcbmir.test.seed} (default fixed), print the seed on
 * failure, and so reproduce with it.
 *
 * <p>Thread-safety: JUnit runs each test on a fresh instance.
 */
@ExtendWith(SeedReporter.class)
public abstract class RetrievalIndexConformance {
  /** The fingerprint the suite's embeddings carry. */
  protected static final String MODEL = "conformance-model";

  protected static final long SEED = Robustness.SEED;

  /** A fresh, empty index for the configuration. */
  protected abstract RetrievalIndex create(IndexConfig config);

  /** Slices in the suite's larger fixtures; implementations that are slow to fill may lower it. */
  protected int fixtureSize() {
    return 6000;
  }

  /**
   * The writer's pause between steps in {@link #concurrentSearchesEachSeeOneStateBetweenWrites}:
   * long enough for the readers to search many times while it writes (an index whose searches are
   * network round trips raises it).
   */
  protected long writerPauseNanos() {
    return 200_000;
  }

  /** A filled index and its model. */
  protected record Fixture(RetrievalIndex index, SearchModel model, int bits, int dim) {}

  protected Fixture fill(Random rnd, int n, int bits, int dim, int patients, int clusters) {
    RetrievalIndex index =
        create(
            IndexConfig.builder()
                .bits(bits)
                .featureDimension(dim)
                .modelFingerprint(MODEL)
                .expectedSlices(n)
                .build());
    SearchModel model = new SearchModel(bits);
    long[][] centres = new long[Math.max(1, clusters)][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = randomCode(rnd, bits);
    }
    for (int i = 0; i < n; i++) {
      long[] code;
      if (clusters == 0) {
        code = randomCode(rnd, bits);
      } else {
        code = centres[rnd.nextInt(clusters)].clone();
        for (int f = rnd.nextInt(11); f > 0; f--) {
          int b = rnd.nextInt(bits);
          code[b >>> 6] ^= 1L << (b & 63);
        }
      }
      float[] fc1 = features(rnd, dim);
      SliceRef ref = ref(i, patients);
      assertEquals(i, index.add(ref, embedding(code, bits, fc1)));
      model.add(ref, code, fc1);
    }
    return new Fixture(index, model, bits, dim);
  }

  protected static long[] randomCode(Random rnd, int bits) {
    long[] w = new long[Embedding.wordsFor(bits)];
    for (int i = 0; i < w.length; i++) {
      w[i] = rnd.nextLong();
    }
    if ((bits & 63) != 0) {
      w[w.length - 1] &= (1L << (bits & 63)) - 1;
    }
    return w;
  }

  protected static float[] features(Random rnd, int dim) {
    float[] f = new float[dim];
    for (int i = 0; i < dim; i++) {
      f[i] = (float) rnd.nextGaussian();
    }
    return f;
  }

  protected static Embedding embedding(long[] code, int bits, float[] fc1) {
    return Embedding.builder().code(code, bits).fc1(fc1).modelFingerprint(MODEL).build();
  }

  protected static SliceRef ref(int i, int patients) {
    int p = i % patients;
    return SliceRef.builder()
        .patientId("P" + p)
        .studyUid("1.2." + p)
        .seriesUid("1.2." + p + ".1")
        .sliceIndex(i / patients)
        .zMm(i * 2.5)
        .noduleClass(NoduleClass.ofLabel(i % 8))
        .build();
  }

  /** Asserts that the result is what the model expects, FC1 near-ties allowed to swap. */
  protected static void assertConforms(SearchModel.Expected want, SearchResult got, String what) {
    int[] ords = got.hits().stream().mapToInt(Hit::ordinal).toArray();
    String detail =
        what
            + ": expected "
            + Arrays.toString(want.ordinals())
            + ", got "
            + Arrays.toString(ords)
            + " via "
            + got.strategy();
    assertEquals(want.ordinals().length, ords.length, detail);
    assertEquals(ords.length, Arrays.stream(ords).distinct().count(), "distinct hits; " + detail);
    for (int i = 0; i < ords.length; i++) {
      if (ords[i] != want.ordinals()[i]) {
        double a = want.fc1Distances()[i];
        double b = got.hits().get(i).featureDistance();
        if (Math.abs(a - b) > 1e-5 * Math.max(1, a)) {
          fail("rank " + (i + 1) + " differs beyond a near-tie; " + detail);
        }
      }
      assertEquals(i + 1, got.hits().get(i).rank(), "ranks count from 1; " + detail);
    }
    if (want.radius() >= 0) {
      assertEquals(want.radius(), got.radiusUsed(), "radius; " + detail);
      assertEquals(want.poolSize(), got.poolSize(), "pool size; " + detail);
    }
  }

  private static String seedNote() {
    return " (seed " + SEED + "; rerun with -Dcbmir.test.seed=" + SEED + ")";
  }

  @ParameterizedTest
  @ValueSource(ints = {64, 128})
  void coarseToFineFollowsTheWideningRule(int bits) {
    Random rnd = new Random(SEED + bits);
    Fixture fx = fill(rnd, fixtureSize(), bits, 13, 9, 6);
    try (RetrievalIndex index = fx.index()) {
      for (int radius : new int[] {0, 2, 5, 12}) {
        for (int t = 0; t < 6; t++) {
          long[] q =
              t % 2 == 0 ? fx.model().code(rnd.nextInt(fx.model().size())) : randomCode(rnd, bits);
          float[] qf = features(rnd, fx.dim());
          SearchRequest req =
              SearchRequest.builder()
                  .k(10)
                  .hammingRadius(radius)
                  .minPoolSize(t < 3 ? 50 : 2000)
                  .build();
          SearchResult r = index.search(embedding(q, bits, qf), req);
          assertConforms(
              fx.model().search(q, qf, req, Set.of()),
              r,
              "radius " + radius + " query " + t + seedNote());
          for (Hit h : r.hits()) {
            assertEquals(SearchModel.hamming(fx.model().code(h.ordinal()), q), h.hammingDistance());
            assertEquals(
                SearchModel.fc1Distance(fx.model().features(h.ordinal()), qf),
                h.featureDistance(),
                1e-4);
          }
        }
      }
    }
  }

  @Test
  void randomRequestsMatchTheModel() {
    Random rnd = new Random(SEED);
    Fixture fx = fill(rnd, fixtureSize(), 64, 16, 11, 5);
    Set<Integer> removed = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      int ord = rnd.nextInt(fx.model().size());
      fx.index().remove(ord);
      removed.add(ord);
    }
    try (RetrievalIndex index = fx.index()) {
      for (int t = 0; t < 120; t++) {
        long[] q =
            rnd.nextBoolean()
                ? fx.model().code(rnd.nextInt(fx.model().size()))
                : randomCode(rnd, 64);
        float[] qf = features(rnd, fx.dim());
        SearchRequest req = randomRequest(rnd, 11);
        assertConforms(
            fx.model().search(q, qf, req, removed),
            index.search(embedding(q, 64, qf), req),
            "request " + t + " " + req + seedNote());
      }
    }
  }

  @Test
  void filtersRemovalsAndThePerPatientCapAreHonoured() {
    Random rnd = new Random(SEED + 1);
    Fixture fx = fill(rnd, fixtureSize(), 64, 13, 9, 6);
    Set<Integer> removed = Set.of(3, 10, 100, 5000 % fx.model().size());
    removed.forEach(fx.index()::remove);
    try (RetrievalIndex index = fx.index()) {
      assertEquals(fx.model().size() - removed.size(), index.size());
      long[] q = fx.model().code(rnd.nextInt(fx.model().size()));
      float[] qf = features(rnd, fx.dim());
      SearchRequest req =
          SearchRequest.builder()
              .k(15)
              .hammingRadius(3)
              .minPoolSize(300)
              .excludePatients(Set.of("P1", "P4"))
              .excludeSeries(Set.of("1.2.2.1"))
              .allowClasses(Set.of(NoduleClass.NONE, NoduleClass.D8_13, NoduleClass.OVER_23))
              .maxHitsPerPatient(2)
              .build();
      SearchResult r = index.search(embedding(q, 64, qf), req);
      assertConforms(fx.model().search(q, qf, req, removed), r, "filtered" + seedNote());
      for (Hit h : r.hits()) {
        assertFalse(removed.contains(h.ordinal()));
        assertFalse(Set.of("P1", "P4", "P2").contains(h.ref().patientId()));
      }
    }
  }

  @Test
  void exhaustiveAndHammingModes() {
    Random rnd = new Random(SEED + 2);
    Fixture fx = fill(rnd, 3000, 64, 13, 9, 0);
    try (RetrievalIndex index = fx.index()) {
      long[] q = randomCode(rnd, 64);
      float[] qf = features(rnd, fx.dim());
      for (SearchMode mode : List.of(SearchMode.EXHAUSTIVE_FC1, SearchMode.HAMMING)) {
        SearchRequest req = SearchRequest.builder().k(9).mode(mode).build();
        SearchResult r = index.search(embedding(q, 64, qf), req);
        assertConforms(fx.model().search(q, qf, req, Set.of()), r, mode.toString());
      }
    }
  }

  @Test
  void batchEqualsSingleSearches() {
    Random rnd = new Random(SEED + 3);
    Fixture fx = fill(rnd, 3000, 64, 13, 9, 6);
    try (RetrievalIndex index = fx.index()) {
      List<Embedding> qs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        qs.add(embedding(randomCode(rnd, 64), 64, features(rnd, fx.dim())));
      }
      SearchRequest req = SearchRequest.builder().k(5).hammingRadius(6).minPoolSize(100).build();
      List<SearchResult> batch = index.searchBatch(qs, req);
      for (int i = 0; i < qs.size(); i++) {
        assertEquals(index.search(qs.get(i), req).hits(), batch.get(i).hits(), "query " + i);
      }
    }
  }

  @Test
  void kLargerThanTheIndexReturnsEverything() {
    Random rnd = new Random(SEED + 4);
    Fixture fx = fill(rnd, 5, 64, 13, 2, 0);
    try (RetrievalIndex index = fx.index()) {
      SearchResult r =
          index.search(
              embedding(fx.model().code(0), 64, fx.model().features(0)),
              SearchRequest.builder().k(50).build());
      assertEquals(5, r.hits().size());
      assertEquals(0, r.hits().get(0).ordinal(), "the slice itself ranks first");
    }
  }

  @Test
  void badInputIsRejectedAndTheIndexStaysUsable() {
    Random rnd = new Random(SEED + 5);
    Fixture fx = fill(rnd, 200, 64, 13, 3, 0);
    try (RetrievalIndex index = fx.index()) {
      float[] f = features(rnd, 13);
      Embedding wrongBits = embedding(randomCode(rnd, 128), 128, f);
      Embedding wrongDim = embedding(fx.model().code(0), 64, new float[14]);
      Embedding wrongModel =
          Embedding.builder().code(fx.model().code(0), 64).fc1(f).modelFingerprint("other").build();
      SliceRef ref = ref(0, 1);
      assertTrue(
          assertThrows(IllegalArgumentException.class, () -> index.add(ref, wrongBits))
              .getMessage()
              .contains("128-bit"));
      assertTrue(
          assertThrows(IllegalArgumentException.class, () -> index.add(ref, wrongDim))
              .getMessage()
              .contains("14 FC1"));
      assertTrue(
          assertThrows(IllegalArgumentException.class, () -> index.add(ref, wrongModel))
              .getMessage()
              .contains("other"));
      assertThrows(
          IllegalArgumentException.class, () -> index.search(wrongBits, SearchRequest.defaults()));
      assertTrue(
          assertThrows(IllegalArgumentException.class, () -> index.remove(200))
              .getMessage()
              .contains("0..199"));
      assertEquals(200, index.size());
      assertEquals(
          10,
          index
              .search(embedding(fx.model().code(1), 64, f), SearchRequest.defaults())
              .hits()
              .size());
    }
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() {
    Random rnd = new Random(SEED + 6);
    Fixture fx = fill(rnd, 20, 64, 13, 3, 0);
    RetrievalIndex index = fx.index();
    index.close();
    index.close();
    assertThrows(IllegalStateException.class, index::size);
    assertThrows(
        IllegalStateException.class,
        () ->
            index.search(
                embedding(fx.model().code(0), 64, fx.model().features(0)),
                SearchRequest.defaults()));
  }

  /** One search made while the writer ran: what it saw must be one state between two writes. */
  private record Observed(
      long[] q, float[] qf, SearchRequest req, SearchResult got, int from, int to) {}

  @Test
  void concurrentSearchesEachSeeOneStateBetweenWrites() throws Exception {
    Random rnd = new Random(SEED + 3);
    Fixture fx = fill(rnd, 600, 64, 13, 9, 6);
    // The writer's script, fixed in advance: each step adds a slice or removes a live one. State s
    // is the index after the first s steps; the model holds every slice the script will add, and a
    // slice not yet added counts as removed (both are invisible to searches and pool sizes).
    int steps = 300;
    int[] removes = new int[steps];
    List<long[]> addCodes = new ArrayList<>();
    List<float[]> addFeatures = new ArrayList<>();
    List<Integer> live = new ArrayList<>();
    for (int ord = 0; ord < 600; ord++) {
      live.add(ord);
    }
    int next = 600;
    for (int s = 0; s < steps; s++) {
      if (rnd.nextInt(3) == 0) {
        removes[s] = live.remove(rnd.nextInt(live.size()));
      } else {
        removes[s] = -1;
        long[] code = fx.model().code(rnd.nextInt(next)).clone();
        code[0] ^= 1L << rnd.nextInt(64);
        float[] f = features(rnd, fx.dim());
        addCodes.add(code);
        addFeatures.add(f);
        fx.model().add(ref(next, 9), code, f);
        live.add(next++);
      }
    }
    AtomicInteger done = new AtomicInteger();
    List<Observed> seen = Collections.synchronizedList(new ArrayList<>());
    try (RetrievalIndex index = fx.index()) {
      Thread writer =
          new Thread(
              () -> {
                int added = 0;
                for (int s = 0; s < steps; s++) {
                  if (removes[s] >= 0) {
                    index.remove(removes[s]);
                  } else {
                    index.add(
                        ref(600 + added, 9),
                        embedding(addCodes.get(added), 64, addFeatures.get(added)));
                    added++;
                  }
                  done.incrementAndGet();
                  LockSupport.parkNanos(writerPauseNanos());
                }
              });
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        Random own = new Random(SEED + 10 + t);
        readers.add(
            new Thread(
                () -> {
                  while (done.get() < steps && seen.size() < 400) {
                    long[] q = fx.model().code(own.nextInt(600)).clone();
                    float[] qf = features(own, fx.dim());
                    SearchRequest req = randomRequest(own, 9);
                    int from = done.get();
                    SearchResult got = index.search(embedding(q, 64, qf), req);
                    seen.add(new Observed(q, qf, req, got, from, done.get() + 1));
                  }
                }));
      }
      // A thread that dies fails the test instead of leaving fewer searches behind.
      List<Throwable> died = Collections.synchronizedList(new ArrayList<>());
      writer.setUncaughtExceptionHandler((t, e) -> died.add(e));
      readers.forEach(r -> r.setUncaughtExceptionHandler((t, e) -> died.add(e)));
      writer.start();
      readers.forEach(Thread::start);
      writer.join();
      for (Thread r : readers) {
        r.join();
      }
      if (!died.isEmpty()) {
        AssertionError e = new AssertionError("a reader or the writer threw" + seedNote());
        died.forEach(e::addSuppressed);
        throw e;
      }
    }
    assertTrue(seen.size() > 20, "searches made while writing: " + seen.size());
    for (Observed o : seen) {
      boolean matched = false;
      for (int s = o.from(); s <= Math.min(o.to(), steps) && !matched; s++) {
        Set<Integer> invisible = new HashSet<>();
        int added = 0;
        for (int k = 0; k < s; k++) {
          if (removes[k] >= 0) {
            invisible.add(removes[k]);
          } else {
            added++;
          }
        }
        for (int ord = 600 + added; ord < fx.model().size(); ord++) {
          invisible.add(ord);
        }
        try {
          assertConforms(fx.model().search(o.q(), o.qf(), o.req(), invisible), o.got(), "");
          matched = true;
        } catch (AssertionError e) {
          // not this state; try the next one
        }
      }
      assertTrue(
          matched,
          "a search made between writes "
              + o.from()
              + " and "
              + o.to()
              + " matches none of those states: "
              + o.req()
              + seedNote());
    }
  }

  /**
   * A random request over slices of patients {@code P0..P(patients-1)} (series {@code 1.2.p.1}):
   * every mode, radius 0..9, k 1..30, pools up to 800 beyond k, and now and then excluded patients
   * or series, allowed classes and a per-patient cap.
   */
  public static SearchRequest randomRequest(Random rnd, int patients) {
    int k = 1 + rnd.nextInt(30);
    SearchRequest.Builder b =
        SearchRequest.builder()
            .k(k)
            .hammingRadius(rnd.nextInt(10))
            .minPoolSize(k + rnd.nextInt(800))
            .mode(SearchMode.values()[rnd.nextInt(SearchMode.values().length)]);
    if (rnd.nextInt(3) == 0) {
      b.excludePatients(
          new HashSet<>(List.of("P" + rnd.nextInt(patients), "P" + rnd.nextInt(patients))));
    }
    if (rnd.nextInt(4) == 0) {
      b.excludeSeries(Set.of("1.2." + rnd.nextInt(patients) + ".1"));
    }
    if (rnd.nextInt(3) == 0) {
      EnumSet<NoduleClass> classes = EnumSet.noneOf(NoduleClass.class);
      for (NoduleClass c : NoduleClass.values()) {
        if (rnd.nextBoolean()) {
          classes.add(c);
        }
      }
      if (!classes.isEmpty()) {
        b.allowClasses(classes);
      }
    }
    if (rnd.nextInt(3) == 0) {
      b.maxHitsPerPatient(1 + rnd.nextInt(3));
    }
    return b.build();
  }
}
