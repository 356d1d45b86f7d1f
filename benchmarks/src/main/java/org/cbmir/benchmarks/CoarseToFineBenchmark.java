package org.cbmir.benchmarks;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.cbmir.api.Embedding;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.index.HammingRetrievalIndex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full coarse-to-fine query (B = 64, D = 256, m = 1000, K = 10) over 1M slices whose embeddings
 * are clustered the way a trained encoder's are (2000 clusters); the query is a jittered copy of an
 * indexed slice. Sample mode gives the p50. Exhaustive FC1 search over the same index is the
 * reference the coarse stage saves us from.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class CoarseToFineBenchmark {
  @Param({"1000000"})
  public int n;

  private HammingRetrievalIndex index;
  private Embedding[] queries;
  private int q;
  private final SearchRequest request =
      SearchRequest.builder().k(10).hammingRadius(2).minPoolSize(1000).build();
  private final SearchRequest exhaustive =
      request.toBuilder().mode(SearchMode.EXHAUSTIVE_FC1).build();

  @Setup
  public void setup() {
    Fixtures.Clustered data = Fixtures.clustered(n, 64, 256, 2000, 21);
    index = data.index();
    queries = Fixtures.queriesNear(data, 64, 64, 5);
    SearchResult r = index.search(queries[0], request);
    System.out.printf(
        Locale.ROOT,
        "strategy=%s pool=%d radius=%d fineFraction=%.5f hotBytesPerSlice=%.1f"
            + " ramBytesPerSlice=%.1f%n",
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

  @Setup(Level.Invocation)
  public void nextQuery() {
    q = (q + 1) & 63;
  }

  @Benchmark
  public SearchResult coarseToFine() {
    return index.search(queries[q], request);
  }

  @Benchmark
  public SearchResult exhaustiveFc1() {
    return index.search(queries[q], exhaustive);
  }
}
