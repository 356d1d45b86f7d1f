package org.cbmir.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.cbmir.api.SimilarCaseSearch;

/**
 * Slices per second of the Spark job on {@code local[1]} and {@code local[2]} beside the single-JVM
 * ingest ({@code SimilarCaseSearch}) of the same folder, in one JVM, interleaved over rounds;
 * prints each run and the medians. Run by {@code benchmarks/spark.sh}; not a unit test.
 *
 * <p>Usage: {@code ScalingBenchmark <folder> <rounds>}.
 */
public final class ScalingBenchmark {
  private ScalingBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path folder = Path.of(args[0]);
    int rounds = Integer.parseInt(args[1]);
    List<Double> single = new ArrayList<>();
    List<Double> one = new ArrayList<>();
    List<Double> two = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long t = System.nanoTime();
      int n;
      try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
        n = cbmir.ingest(folder).slices();
      }
      single.add(report("single JVM (SimilarCaseSearch.ingest, 2 ONNX threads)", n, t));
      one.add(spark(folder, 1));
      two.add(spark(folder, 2));
    }
    System.out.printf(
        Locale.ROOT,
        "medians over %d rounds, slices/s: single JVM %.2f, local[1] %.2f, local[2] %.2f;"
            + " local[2]/local[1] %.2f, local[2]/single %.2f%n",
        rounds,
        median(single),
        median(one),
        median(two),
        median(two) / median(one),
        median(two) / median(single));
  }

  /** A whole job: session start, listing, encoding, numbering, and the count that forces it. */
  private static double spark(Path folder, int threads) throws IOException {
    long t = System.nanoTime();
    SparkSession spark = LocalSpark.start(threads);
    try (EncodedArchive a = ArchiveEncoding.builder().input(folder).build().encode(spark)) {
      return report("Spark local[" + threads + "] (1 ONNX thread a task)", a.slices().count(), t);
    } finally {
      spark.stop();
    }
  }

  private static double report(String what, long slices, long start) {
    double s = (System.nanoTime() - start) / 1e9;
    double rate = slices / s;
    System.out.printf(
        Locale.ROOT, "%-55s %d slices in %6.1f s: %6.2f slices/s%n", what, slices, s, rate);
    return rate;
  }

  private static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
