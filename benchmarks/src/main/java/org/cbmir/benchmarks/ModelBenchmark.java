package org.cbmir.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Embedding;
import org.cbmir.api.LungMask;
import org.cbmir.data.ThoraxPhantom;
import org.cbmir.onnx.ExecutionProvider;
import org.cbmir.onnx.OnnxEncoder;
import org.cbmir.onnx.OnnxSegmenter;
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
 * Segment + encode a batch of 8 slices of 512 x 512 at 0.7 mm (phantoms, so it runs without real
 * data), including resampling to the models' grid and carrying masks between grids: ONNX Runtime
 * CPU, 2 intra-op threads. Divide by 8 for ms per slice; training/bench_torch.py is the PyTorch
 * peer on the same architectures.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ModelBenchmark {
  private OnnxSegmenter segmenter;
  private OnnxEncoder encoder;
  private List<CtSlice> batch;

  @Setup
  public void setup() throws IOException {
    segmenter =
        OnnxSegmenter.builder()
            .executionProvider(ExecutionProvider.CPU)
            .intraOpThreads(2)
            .batchSize(8)
            .build();
    encoder =
        OnnxEncoder.builder()
            .executionProvider(ExecutionProvider.CPU)
            .intraOpThreads(2)
            .batchSize(8)
            .build();
    CtVolume v =
        ThoraxPhantom.builder()
            .seed(3)
            .size(512)
            .pixelSpacingMm(0.7)
            .slices(8, 2.5)
            .addNodule(12)
            .build()
            .volume();
    batch = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      batch.add(v.slice(k));
    }
  }

  @TearDown
  public void close() {
    segmenter.close();
    encoder.close();
  }

  @Benchmark
  public List<Embedding> segmentAndEncode8() {
    List<LungMask> masks = segmenter.segmentAll(batch);
    return encoder.encodeAll(batch, masks);
  }
}
