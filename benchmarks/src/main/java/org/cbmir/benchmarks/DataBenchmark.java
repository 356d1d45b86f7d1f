package org.cbmir.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cbmir.api.CtVolume;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.preprocessing.Resampling;
import org.cbmir.data.DicomSeriesReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading LIDC-IDRI-0001 (133 slices, 512 x 512) into HU, and resampling it to 1 mm in-plane and
 * along z, from ../shared/data (or $CBMIR_SHARED_DATA). Each operation is one whole series.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 7)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx6g"})
public class DataBenchmark {
  private Path series;
  private CtVolume volume;

  @Setup
  public void setup() throws IOException {
    String env = System.getenv("CBMIR_SHARED_DATA");
    Path root = Path.of(env != null ? env : "../shared/data");
    Path patient = root.resolve("lidc-idri/LIDC-IDRI-0001");
    if (!Files.isDirectory(patient)) {
      throw new IllegalStateException(
          "no LIDC-IDRI-0001 under " + root.toAbsolutePath() + "; set CBMIR_SHARED_DATA");
    }
    series = patient;
    volume = readSeries();
  }

  @Benchmark
  public List<CtVolume> readDicomSeries() throws IOException {
    return new DicomSeriesReader().read(series, VolumeReader.ReadListener.NONE);
  }

  @Benchmark
  public CtVolume resampleTo1mm() {
    return Resampling.resampleVolume(volume, 1.0, 1.0);
  }

  private CtVolume readSeries() throws IOException {
    return readDicomSeries().get(0);
  }
}
