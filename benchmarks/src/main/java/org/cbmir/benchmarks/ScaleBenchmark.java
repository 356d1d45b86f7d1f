package org.cbmir.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.cbmir.api.Embedding;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.index.HammingRetrievalIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ten million slices on one machine (B = 64, D = 256, int8 features, 2000 clusters like {@link
 * CoarseToFineBenchmark}): a coarse-to-fine query (m = 1000, K = 10) single-threaded (sample mode:
 * p50 and p99), from two threads at once, and batches of 16 and 64 queries through {@code
 * searchBatch} beside the same 16 queries one by one. Per-query figures: batch and loop methods
 * count each query as an operation.
 *
 * <p>Thread-safety: a JMH state object; JMH shares it between threads only as its {@code @State}
 * scopes say (the index is thread-safe, cursors are per thread).
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx12g"})
public class ScaleBenchmark {
  @Param({"10000000"})
  public int n;

  @Param({"INT8"})
  public FeatureStorage storage;

  private HammingRetrievalIndex index;
  private Embedding[] queries;
  private List<Embedding> batch16;
  private List<Embedding> batch64;
  private final SearchRequest request =
      SearchRequest.builder().k(10).hammingRadius(2).minPoolSize(1000).build();

  /** Per-thread position in the query list, so that two threads do not search in lockstep. */
  @State(Scope.Thread)
  public static class Cursor {
    int q = (int) (Thread.currentThread().threadId() * 17 & 63);
  }

  @Setup
  public void setup() {
    long t0 = System.nanoTime();
    Fixtures.Clustered data = Fixtures.clustered(n, 64, 256, 2000, 21, storage);
    index = data.index();
    queries = Fixtures.queriesNear(data, 64, 64, 5);
    batch16 = List.of(queries).subList(0, 16);
    batch64 = List.of(queries);
    SearchResult r = index.search(queries[0], request);
    System.out.printf(
        Locale.ROOT,
        "built %d slices in %.1f s; strategy=%s pool=%d radius=%d"
            + " fineFraction=%.6f hotBytesPerSlice=%.1f ramBytesPerSlice=%.1f%n",
        n,
        (System.nanoTime() - t0) / 1e9,
        r.strategy(),
        r.poolSize(),
        r.radiusUsed(),
        r.fineStageFraction(),
        index.hotBytesPerSlice(),
        (double) index.ramBytesUsed() / n);
  }

  @TearDown
  public void close() {
    index.close();
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  public SearchResult coarseToFine(Cursor c) {
    c.q = (c.q + 1) & 63;
    return index.search(queries[c.q], request);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @Threads(2)
  public SearchResult coarseToFineTwoThreads(Cursor c) {
    c.q = (c.q + 1) & 63;
    return index.search(queries[c.q], request);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public SearchResult coarseToFineOneThread(Cursor c) {
    c.q = (c.q + 1) & 63;
    return index.search(queries[c.q], request);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(16)
  public int loopOf16() {
    int s = 0;
    for (Embedding e : batch16) {
      s += index.search(e, request).hits().size();
    }
    return s;
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(16)
  public List<SearchResult> batchOf16() {
    return index.searchBatch(batch16, request);
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(64)
  public List<SearchResult> batchOf64() {
    return index.searchBatch(batch64, request);
  }
}
