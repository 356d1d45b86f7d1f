package org.cbmir.benchmarks;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Embedding;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.SliceRef;
import org.cbmir.data.ThoraxPhantom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One call of {@link SimilarCaseSearch#search(CtSlice, SearchRequest)} over 100,000 indexed slices:
 * resampling, segmenting and encoding the 512 x 512 query with the shipped models (ONNX Runtime
 * CPU), then the coarse-to-fine search (k = 10). The index holds embeddings of the shipped model's
 * shape and fingerprint drawn around 500 clusters (encoding 100,000 real slices would take an hour
 * here); the query's own embedding comes from the real models.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SingleCallBenchmark {
  private SimilarCaseSearch cbmir;
  private CtSlice query;
  private final SearchRequest request = SearchRequest.builder().k(10).build();

  @Setup
  public void setup() throws IOException {
    cbmir = SimilarCaseSearch.create();
    int dim = cbmir.index().featureDimension();
    int bits = cbmir.index().bits();
    String fp = cbmir.index().modelFingerprint();
    Random rnd = new Random(17);
    long[][] centres = new long[500][Embedding.wordsFor(bits)];
    for (long[] c : centres) {
      for (int w = 0; w < c.length; w++) {
        c[w] = rnd.nextLong() & (bits % 64 == 0 || w < c.length - 1 ? -1L : (1L << bits) - 1);
      }
    }
    float[] f = new float[dim];
    for (int i = 0; i < 100_000; i++) {
      long[] code = centres[rnd.nextInt(centres.length)].clone();
      code[0] ^= 1L << rnd.nextInt(Math.min(64, bits));
      for (int d = 0; d < dim; d++) {
        f[d] = Math.abs((float) rnd.nextGaussian());
      }
      cbmir
          .index()
          .add(
              SliceRef.builder()
                  .patientId("P" + i / 300)
                  .seriesUid("S" + i / 300)
                  .sliceIndex(i % 300)
                  .build(),
              Embedding.builder().code(code, bits).fc1(f).modelFingerprint(fp).build());
    }
    query =
        ThoraxPhantom.builder()
            .seed(5)
            .size(512)
            .pixelSpacingMm(0.7)
            .slices(1, 2.5)
            .addNodule(9)
            .build()
            .volume()
            .slice(0);
  }

  @TearDown
  public void close() {
    cbmir.close();
  }

  @Benchmark
  public SearchResult searchOneSlice() {
    return cbmir.search(query, request);
  }
}
