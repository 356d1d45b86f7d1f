package org.cbmir.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.util.VectorUtil;
import org.cbmir.index.kernels.KernelSupport;
import org.cbmir.index.kernels.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Squared L2 from one query to 4096 rows of a flat row-major matrix: ours (Vector API and scalar)
 * against Lucene's {@code VectorUtil.squareDistance}, which needs one array per row, so its rows
 * are separate arrays holding the same values. Divide by 4096 for ns/row.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RerankBenchmark {
  static final int ROWS = 4096;

  @Param({"256", "512"})
  public int dim;

  private float[] flat;
  private float[][] rows;
  private float[] query;
  private KernelSupport panama;
  private KernelSupport scalar;

  @Setup
  public void setup() {
    Random rnd = new Random(3);
    flat = new float[ROWS * dim];
    rows = new float[ROWS][dim];
    for (int r = 0; r < ROWS; r++) {
      for (int d = 0; d < dim; d++) {
        float v = (float) rnd.nextGaussian();
        flat[r * dim + d] = v;
        rows[r][d] = v;
      }
    }
    query = new float[dim];
    for (int d = 0; d < dim; d++) {
      query[d] = (float) rnd.nextGaussian();
    }
    panama = Kernels.panama().orElseThrow();
    scalar = Kernels.scalar();
  }

  @Benchmark
  public float panama() {
    float s = 0;
    for (int r = 0; r < ROWS; r++) {
      s += panama.squareDistance(query, 0, flat, r * dim, dim);
    }
    return s;
  }

  @Benchmark
  public float scalar() {
    float s = 0;
    for (int r = 0; r < ROWS; r++) {
      s += scalar.squareDistance(query, 0, flat, r * dim, dim);
    }
    return s;
  }

  @Benchmark
  public float lucene() {
    float s = 0;
    for (int r = 0; r < ROWS; r++) {
      s += VectorUtil.squareDistance(query, rows[r]);
    }
    return s;
  }
}
