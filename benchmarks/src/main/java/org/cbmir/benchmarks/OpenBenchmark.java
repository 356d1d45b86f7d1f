package org.cbmir.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.cbmir.api.Embedding;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.OpenOptions;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.index.HammingRetrievalIndex;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opening a saved 10M-slice index (B = 64, D = 256, the data of {@link ScaleBenchmark}): memory-
 * mapped with checksums on first use, mapped and verified at open, and read into memory, each a
 * single shot in a JVM that has opened it before (the file is in the page cache, as on a server
 * that restarts); the first query after a mapped open (it builds the multi-index tables and
 * verifies the sections it reads); and query latency on the mapped index beside the same file read
 * into memory.
 *
 * <p>The file is built once and kept in {@code benchmarks/target} (about 2.9 GB for int8), so later
 * runs skip the 2.5-minute build.
 *
 * <p>Thread-safety: a JMH state object; JMH shares it between threads only as its {@code @State}
 * scopes say (the index is thread-safe, cursors are per thread).
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx12g"})
public class OpenBenchmark {
  @Param({"10000000"})
  public int n;

  @Param({"INT8"})
  public FeatureStorage storage;

  static final int BITS = 64;
  static final int DIM = 256;
  static final int CLUSTERS = 2000;
  static final long SEED = 21;

  Path file;
  Embedding[] queries;
  final SearchRequest request =
      SearchRequest.builder().k(10).hammingRadius(2).minPoolSize(1000).build();

  @Setup
  public void setup() throws IOException {
    Path dir = Path.of(System.getProperty("cbmir.bench.dir", "benchmarks/target"));
    Files.createDirectories(dir);
    file = dir.resolve("open-" + n + "-" + storage + ".cbmir");
    Fixtures.Clustered data;
    if (!Files.exists(file)) {
      long t0 = System.nanoTime();
      data = Fixtures.clustered(n, BITS, DIM, CLUSTERS, SEED, storage);
      long t1 = System.nanoTime();
      data.index().save(file);
      System.out.printf(
          Locale.ROOT,
          "built %d slices in %.1f s, saved %s (%.2f GB)" + " in %.1f s%n",
          n,
          (t1 - t0) / 1e9,
          file,
          Files.size(file) / 1e9,
          (System.nanoTime() - t1) / 1e9);
      data.index().close();
    }
    queries = Fixtures.queriesNear(Fixtures.centres(SEED, BITS, DIM, CLUSTERS, null), 64, BITS, 5);
  }

  private OpenOptions mapped(OpenOptions.Checksums when) {
    return OpenOptions.builder()
        .modelFingerprint(Fixtures.MODEL)
        .memoryMapped()
        .checksums(when)
        .build();
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 1)
  @Measurement(iterations = 5)
  public int openMapped() throws IOException {
    try (RetrievalIndex index =
        RetrievalIndexes.open(file, mapped(OpenOptions.Checksums.ON_FIRST_USE))) {
      return index.size();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 1)
  @Measurement(iterations = 5)
  public int openMappedVerifyingChecksums() throws IOException {
    try (RetrievalIndex index =
        RetrievalIndexes.open(file, mapped(OpenOptions.Checksums.AT_OPEN))) {
      return index.size();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 1)
  @Measurement(iterations = 3)
  public int openInMemory() throws IOException {
    try (RetrievalIndex index = RetrievalIndexes.open(file, Fixtures.MODEL)) {
      return index.size();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 1)
  @Measurement(iterations = 5)
  public SearchResult openMappedAndSearchOnce() throws IOException {
    try (RetrievalIndex index =
        RetrievalIndexes.open(file, mapped(OpenOptions.Checksums.ON_FIRST_USE))) {
      return index.search(queries[0], request);
    }
  }

  /** One index opened per fork: mapped, or read into memory, for query latency. */
  @State(Scope.Benchmark)
  public static class Opened {
    RetrievalIndex mapped;
    RetrievalIndex inMemory;

    @Setup
    public void open(OpenBenchmark b) throws IOException {
      mapped = RetrievalIndexes.open(b.file, b.mapped(OpenOptions.Checksums.ON_FIRST_USE));
      inMemory = RetrievalIndexes.open(b.file, Fixtures.MODEL);
      SearchResult r = mapped.search(b.queries[0], b.request);
      if (!r.hits().equals(inMemory.search(b.queries[0], b.request).hits())) {
        throw new UncheckedIOException(new IOException("mapped and in-memory answers differ"));
      }
      System.out.printf(
          Locale.ROOT,
          "strategy=%s pool=%d radius=%d heap bytes per" + " slice: mapped %.1f, in memory %.1f%n",
          r.strategy(),
          r.poolSize(),
          r.radiusUsed(),
          (double) ((HammingRetrievalIndex) mapped).ramBytesUsed() / b.n,
          (double) ((HammingRetrievalIndex) inMemory).ramBytesUsed() / b.n);
    }

    @TearDown
    public void close() {
      mapped.close();
      inMemory.close();
    }
  }

  /** Per-thread position in the query list. */
  @State(Scope.Thread)
  public static class Cursor {
    int q;
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @Warmup(iterations = 2, time = 3)
  @Measurement(iterations = 5, time = 3)
  public SearchResult queryMapped(Opened o, Cursor c) {
    c.q = (c.q + 1) & 63;
    return o.mapped.search(queries[c.q], request);
  }

  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @Warmup(iterations = 2, time = 3)
  @Measurement(iterations = 5, time = 3)
  public SearchResult queryInMemory(Opened o, Cursor c) {
    c.q = (c.q + 1) & 63;
    return o.inMemory.search(queries[c.q], request);
  }
}
