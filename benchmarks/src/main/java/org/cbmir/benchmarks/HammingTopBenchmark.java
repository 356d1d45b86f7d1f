package org.cbmir.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.cbmir.api.CoarseStrategy;
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
 * Exact top-100 by Hamming distance, and radius search by multi-index hashing against the linear
 * scan, through the index over N uniformly random codes (features of dimension 1, unused here): the
 * codes and queries {@link DumpCodes} writes for FAISS ({@code benchmarks/faiss_peer.py}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx12g"})
public class HammingTopBenchmark {
  @Param({"10000000"})
  public int n;

  @Param({"64"})
  public int bits;

  private HammingRetrievalIndex index;
  private long[][] queries;
  private int q;

  @Setup
  public void setup() {
    index = Fixtures.uniformIndex(n, bits, 11);
    long[] flat = Fixtures.uniformCodes(64, bits / 64, 13);
    queries = new long[64][];
    for (int i = 0; i < 64; i++) {
      queries[i] = Arrays.copyOfRange(flat, i * (bits / 64), (i + 1) * (bits / 64));
    }
    System.out.println("multi-index tables: " + index.multiIndexTables());
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
  public int[] top100() {
    return index.topByHamming(queries[q], 100);
  }

  @Benchmark
  public int[] scanR2() {
    return index.radiusSearch(queries[q], 2, CoarseStrategy.LINEAR_SCAN);
  }

  @Benchmark
  public int[] mihR2() {
    return index.radiusSearch(queries[q], 2, CoarseStrategy.MULTI_INDEX_HASHING);
  }

  @Benchmark
  public int[] scanR4() {
    return index.radiusSearch(queries[q], 4, CoarseStrategy.LINEAR_SCAN);
  }

  @Benchmark
  public int[] mihR4() {
    return index.radiusSearch(queries[q], 4, CoarseStrategy.MULTI_INDEX_HASHING);
  }

  @Benchmark
  public int[] scanR8() {
    return index.radiusSearch(queries[q], 8, CoarseStrategy.LINEAR_SCAN);
  }

  @Benchmark
  public int[] mihR8() {
    return index.radiusSearch(queries[q], 8, CoarseStrategy.MULTI_INDEX_HASHING);
  }
}
