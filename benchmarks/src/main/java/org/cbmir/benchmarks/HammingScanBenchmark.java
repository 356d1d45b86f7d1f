package org.cbmir.benchmarks;

import java.util.concurrent.TimeUnit;
import org.cbmir.index.kernels.KernelSupport;
import org.cbmir.index.kernels.Kernels;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Linear Hamming radius scan over N uniformly random codes, the same workload as the C reference
 * {@code ham N W reps 1 rad_v} (radius 16 for 64-bit, 40 for 128-bit codes). Divide by N for
 * ns/code.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx8g"})
public class HammingScanBenchmark {
  @Param({"1000000", "10000000"})
  public int n;

  @Param({"64", "128"})
  public int bits;

  private long[] codes;
  private long[] queries;
  private int words;
  private int radius;
  private int[] outOrd;
  private int[] outDist;
  private int q;
  private KernelSupport panama;
  private KernelSupport scalar;

  @Setup
  public void setup() {
    words = bits / 64;
    radius = bits == 64 ? 16 : 40;
    codes = Fixtures.uniformCodes(n, words, 88172645463325252L);
    queries = Fixtures.uniformCodes(64, words, 7);
    outOrd = new int[n];
    outDist = new int[n];
    panama = Kernels.panama().orElseThrow();
    scalar = Kernels.scalar();
  }

  @Setup(Level.Invocation)
  public void nextQuery() {
    q = (q + 1) & 63;
  }

  @Benchmark
  public int radiusScanPanama() {
    return panama.radiusScan(codes, words, 0, n, queries, q * words, radius, outOrd, outDist);
  }

  @Benchmark
  public int radiusScanScalar() {
    return scalar.radiusScan(codes, words, 0, n, queries, q * words, radius, outOrd, outDist);
  }
}
