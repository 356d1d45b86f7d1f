package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four searchers, a writer adding (at most 2,000 a second) and removing, and a saver, all on one
 * index for a few seconds ({@code -Pfuzz}: a minute): no search fails or returns a malformed
 * result, no add is lost, the last save reopens to the same answers, and search latency is measured
 * with and without a save running.
 */
@ExtendWith(SeedReporter.class)
class ConcurrentLoadTest {
  @TempDir Path dir;

  @Test
  void searchesWritesAndSavesTogetherLoseNothing() throws Exception {
    int bits = 64;
    int dim = 64;
    long millis = Robustness.trials(4_000, 60_000);
    Random seeds = new Random(Robustness.SEED);
    Path file = dir.resolve("busy.cbmir");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicBoolean saving = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger adds = new AtomicInteger();
    AtomicInteger removes = new AtomicInteger();
    AtomicInteger saves = new AtomicInteger();
    ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>();
    try (RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(bits)
                .featureDimension(dim)
                .modelFingerprint(TestData.MODEL)
                .build())) {
      Random init = new Random(seeds.nextLong());
      for (int i = 0; i < 100_000; i++) {
        index.add(
            TestData.ref(i, 50),
            TestData.embedding(
                TestData.randomCode(init, bits), bits, TestData.features(init, dim)));
      }
      adds.set(100_000);
      List<Thread> threads = new ArrayList<>();
      for (int s = 0; s < 4; s++) {
        long seed = seeds.nextLong();
        threads.add(
            new Thread(
                () -> {
                  Random r = new Random(seed);
                  while (!stop.get()) {
                    Embedding q =
                        TestData.embedding(
                            TestData.randomCode(r, bits), bits, TestData.features(r, dim));
                    boolean duringSave = saving.get();
                    long t0 = System.nanoTime();
                    SearchResult res = index.search(q, SearchRequest.builder().k(10).build());
                    long ns = System.nanoTime() - t0;
                    latencies.add(new long[] {ns, duringSave || saving.get() ? 1 : 0});
                    check(res);
                  }
                }));
      }
      long writerSeed = seeds.nextLong();
      threads.add(
          new Thread(
              () -> {
                Random r = new Random(writerSeed);
                while (!stop.get()) {
                  index.add(
                      TestData.ref(index.ordinalCount(), 50),
                      TestData.embedding(
                          TestData.randomCode(r, bits), bits, TestData.features(r, dim)));
                  adds.incrementAndGet();
                  if (r.nextInt(4) == 0 && index.remove(r.nextInt(index.ordinalCount()))) {
                    removes.incrementAndGet();
                  }
                  // At most 2,000 adds a second: an ingest far faster than encoders can feed one,
                  // without starving two cores of the searchers being measured.
                  if (adds.get() % 20 == 0) {
                    sleep(10);
                  }
                }
              }));
      threads.add(
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    saving.set(true);
                    index.save(file);
                    saves.incrementAndGet();
                  } catch (Exception e) {
                    failure.compareAndSet(null, e);
                  } finally {
                    saving.set(false);
                  }
                  sleep(250);
                }
              }));
      for (Thread t : threads) {
        t.setUncaughtExceptionHandler((th, e) -> failure.compareAndSet(null, e));
        t.start();
      }
      Thread.sleep(millis);
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      if (failure.get() != null) {
        throw new AssertionError("a thread failed", failure.get());
      }
      assertEquals(adds.get(), index.ordinalCount(), "every add has its ordinal");
      assertEquals(adds.get() - removes.get(), index.size(), "no add or remove lost");
      index.save(file);
      try (RetrievalIndex reopened = RetrievalIndexes.open(file, TestData.MODEL)) {
        assertEquals(index.size(), reopened.size());
        Random r = new Random(seeds.nextLong());
        for (int q = 0; q < 20; q++) {
          Embedding e =
              TestData.embedding(TestData.randomCode(r, bits), bits, TestData.features(r, dim));
          assertEquals(
              index.search(e, SearchRequest.defaults()).hits(),
              reopened.search(e, SearchRequest.defaults()).hits());
        }
      }
    }
    long[] during =
        latencies.stream().filter(l -> l[1] == 1).mapToLong(l -> l[0]).sorted().toArray();
    long[] without =
        latencies.stream().filter(l -> l[1] == 0).mapToLong(l -> l[0]).sorted().toArray();
    Robustness.report(
        "concurrent load",
        String.format(
            java.util.Locale.ROOT,
            "%.0f s of 4"
                + " searchers, a writer and a saver on 100,000+ slices: %d searches, %d adds, %d"
                + " removes, %d saves (one every 250 ms after the last), 0 failures, 0 lost adds; search p50/p99 %.2f/%.2f ms without a"
                + " save running (%d searches), %.2f/%.2f ms during saves (%d searches)",
            millis / 1000.0,
            latencies.size(),
            adds.get() - 100_000,
            removes.get(),
            saves.get(),
            pct(without, 0.5),
            pct(without, 0.99),
            without.length,
            pct(during, 0.5),
            pct(during, 0.99),
            during.length));
    assertTrue(saves.get() > 0, "at least one save ran during the load");
  }

  /**
   * A result is well formed: ranks 1..n, distances ascending. (Ties are broken by ordinal on the
   * squared distance the fine stage ranks by; two squared distances may round to one reported
   * distance, so ordinals are not checked here: the conformance suite checks them exactly.)
   */
  private static void check(SearchResult res) {
    List<Hit> hits = res.hits();
    for (int i = 0; i < hits.size(); i++) {
      Hit h = hits.get(i);
      if (h.rank() != i + 1 || (i > 0 && h.featureDistance() < hits.get(i - 1).featureDistance())) {
        throw new AssertionError("malformed result: " + hits);
      }
    }
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
