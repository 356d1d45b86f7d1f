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
 * are separate arrays holding the same values; and the int8 rows of {@code FeatureStorage.INT8}
 * (the same values quantised with one scale per row, distance as {@code |q|^2 - 2 s (q . r) + n}),
 * which stream a quarter of the bytes; and the half-precision rows of {@code
 * FeatureStorage.FLOAT16}, which stream half. Divide by 4096 for ns/row.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class RerankBenchmark {
  static final int ROWS = 4096;

  @Param({"256", "512"})
  public int dim;

  private float[] flat;
  private float[][] rows;
  private float[] query;
  private byte[] flat8;
  private short[] flat16;
  private float[] scales;
  private float[] norms;
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
    flat8 = new byte[ROWS * dim];
    scales = new float[ROWS];
    norms = new float[ROWS];
    for (int r = 0; r < ROWS; r++) {
      float max = 0;
      for (int d = 0; d < dim; d++) {
        max = Math.max(max, Math.abs(flat[r * dim + d]));
      }
      scales[r] = max / 127f;
      long qq = 0;
      for (int d = 0; d < dim; d++) {
        byte b = (byte) Math.round(flat[r * dim + d] / scales[r]);
        flat8[r * dim + d] = b;
        qq += b * b;
      }
      norms[r] = scales[r] * scales[r] * qq;
    }
    flat16 = new short[ROWS * dim];
    for (int i = 0; i < flat.length; i++) {
      flat16[i] = Float.floatToFloat16(flat[i]);
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
  public float panamaInt8() {
    return int8(panama);
  }

  @Benchmark
  public float scalarInt8() {
    return int8(scalar);
  }

  private float int8(KernelSupport k) {
    float qn = 0;
    for (int d = 0; d < dim; d++) {
      qn = Math.fma(query[d], query[d], qn);
    }
    float s = 0;
    for (int r = 0; r < ROWS; r++) {
      s += qn - 2 * scales[r] * k.dotInt8(query, 0, flat8, r * dim, dim) + norms[r];
    }
    return s;
  }

  @Benchmark
  public float panamaFloat16() {
    return float16(panama);
  }

  @Benchmark
  public float scalarFloat16() {
    return float16(scalar);
  }

  private float float16(KernelSupport k) {
    float s = 0;
    for (int r = 0; r < ROWS; r++) {
      s += k.squareDistanceF16(query, 0, flat16, r * dim, dim);
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
