package org.cbmir.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cbmir.opensearch.OpenSearchTarget;

/**
 * The Spark job's entry point: encodes CT archives into Parquet, an index file and/or an OpenSearch
 * index.
 *
 * <pre>
 * spark-submit --class org.cbmir.spark.EncodeArchiveJob cbmir-spark-jar-with-dependencies.jar \
 *     --parquet /data/lidc-encoded --index /data/lidc.cbmir /archive/LIDC-IDRI
 * </pre>
 *
 * <p>Options: {@code --parquet DIR}, {@code --index FILE}, {@code --opensearch URI} (at least one),
 * {@code --master URL} (where spark-submit does not set one, e.g. {@code local[2]}), {@code
 * --partitions N}, {@code --threads-per-task N}, {@code --segmenter-model FILE}, {@code
 * --encoder-model FILE}, {@code --pseudonymise-key FILE} (a file of 16 or more random bytes: store
 * HMAC pseudonyms instead of the IDs read, see {@link ArchiveEncoding.Builder#pseudonymise}); then
 * one or more inputs. Exits with 0 when the job ran (errors in the data are listed, not fatal), 2
 * on bad arguments, 1 when the job could not run.
 *
 * <p>Thread-safety: a program entry point; not for concurrent use.
 */
public final class EncodeArchiveJob {
  private static final String USAGE =
      "usage: EncodeArchiveJob [--parquet DIR] [--index FILE] [--opensearch URI] [--master URL]"
          + " [--partitions N] [--threads-per-task N] [--segmenter-model FILE]"
          + " [--encoder-model FILE] [--pseudonymise-key FILE] INPUT...  (at least one of"
          + " --parquet, --index, --opensearch)";

  /** Errors printed; the error table has them all. */
  private static final int SHOWN_ERRORS = 20;

  private EncodeArchiveJob() {}

  /** Runs the job; see the class comment for the arguments. */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    int code;
    try {
      code = run(args, out);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      code = 2;
    } catch (IOException | RuntimeException e) {
      err.println("error: " + e.getMessage());
      code = 1;
    }
    System.exit(code);
  }

  /** The job without {@code System.exit}: the exit code, or an exception. */
  static int run(String[] args, PrintStream out) throws IOException {
    Path parquet = null;
    Path index = null;
    URI opensearch = null;
    String master = null;
    ArchiveEncoding.Builder job = ArchiveEncoding.builder();
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        inputs.add(Path.of(a));
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--parquet" -> parquet = Path.of(v);
        case "--index" -> index = Path.of(v);
        case "--opensearch" -> opensearch = URI.create(v);
        case "--master" -> master = v;
        case "--partitions" -> job.partitions(number(a, v));
        case "--threads-per-task" -> job.threadsPerTask(number(a, v));
        case "--segmenter-model" -> job.segmenterModel(Path.of(v));
        case "--encoder-model" -> job.encoderModel(Path.of(v));
        case "--pseudonymise-key" -> job.pseudonymise(Files.readAllBytes(Path.of(v)));
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + a
                    + "; valid: --parquet, --index, --opensearch, --master, --partitions,"
                    + " --threads-per-task, --segmenter-model, --encoder-model,"
                    + " --pseudonymise-key");
      }
    }
    if (parquet == null && index == null && opensearch == null) {
      throw new IllegalArgumentException(
          "nowhere to write: give --parquet, --index or --opensearch");
    }
    ArchiveEncoding encoding = job.inputs(inputs).build();
    OpenSearchTarget target = opensearch == null ? null : OpenSearchTarget.of(opensearch);
    SparkSession.Builder sb = SparkSession.builder().appName("cbmir-encode-archive");
    if (master != null) {
      sb.master(master);
    }
    long start = System.nanoTime();
    try (SparkSession spark = sb.getOrCreate();
        EncodedArchive archive = encoding.encode(spark)) {
      long n = archive.slices().count();
      double encodeS = (System.nanoTime() - start) / 1e9;
      out.printf(
          Locale.ROOT,
          "encoded %d slices in %.1f s (%.1f slices/s, Spark %s, %s), model %s%n",
          n,
          encodeS,
          n / encodeS,
          spark.version(),
          spark.sparkContext().master(),
          archive.shape());
      long errorCount = archive.errors().count();
      out.printf(
          Locale.ROOT,
          "%d files, series or units not encoded%s%n",
          errorCount,
          errorCount == 0 ? "" : ":");
      // The first few here; all of them in the error table (Parquet's errors/).
      for (Row e : archive.errors().takeAsList(SHOWN_ERRORS)) {
        out.println("  " + e.getString(0) + ": " + e.getString(1));
      }
      if (errorCount > SHOWN_ERRORS) {
        out.println("  ... and " + (errorCount - SHOWN_ERRORS) + " more in the error table");
      }
      if (parquet != null) {
        archive.writeParquet(parquet);
        out.println("Parquet: " + parquet.toAbsolutePath());
      }
      if (index != null) {
        archive.writeIndex(index);
        out.println("index file: " + index.toAbsolutePath());
      }
      if (target != null) {
        int loaded = archive.writeOpenSearch(target);
        out.println("OpenSearch: " + loaded + " slices in " + target.location());
      }
    }
    return 0;
  }

  private static int number(String option, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got '" + value + "'", e);
    }
  }
}
