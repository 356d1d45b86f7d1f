package org.cbmir.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.cbmir.api.CbmirException;
import org.cbmir.api.EmbeddingShape;
import org.cbmir.api.IdentifierPolicy;
import org.cbmir.api.VolumeReader.ReadListener;
import org.cbmir.data.ArchiveUnits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes CT archives as a Spark job, with the readers, preprocessing and models of the embedded
 * path: the driver lists the archive's series (folders of DICOM files, MetaImage files) without
 * opening an image, Spark spreads the series over its tasks, and each task reads, segments and
 * encodes whole series with the executor JVM's one pair of ONNX Runtime sessions.
 *
 * <pre>{@code
 * try (EncodedArchive archive = ArchiveEncoding.builder()
 *         .input(Path.of("/archive/LIDC-IDRI"))
 *         .build()
 *         .encode(spark)) {
 *   archive.writeParquet(Path.of("/data/lidc-encoded"));
 *   archive.writeIndex(Path.of("/data/lidc.cbmir"));
 *   archive.errors().show(false);
 * }
 * }</pre>
 *
 * <p>Every executor must see the inputs (and any model file) at the same paths as the driver: a
 * shared file system such as NFS, or local mode. A bad file, series or unit becomes a row of {@link
 * EncodedArchive#errors()} and never fails the job; the same input gives the same table, ordinals
 * included, however it is partitioned.
 *
 * <p>Thread-safety: immutable; one object may encode on several sessions.
 */
public final class ArchiveEncoding {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveEncoding.class);

  private final List<Path> inputs;
  private final int partitions;
  private final int threadsPerTask;
  private final Path segmenterModel;
  private final Path encoderModel;
  private final byte[] pseudonymKey;

  private ArchiveEncoding(Builder b) {
    this.inputs = List.copyOf(b.inputs);
    this.partitions = b.partitions;
    this.threadsPerTask = b.threadsPerTask;
    this.segmenterModel = b.segmenterModel;
    this.encoderModel = b.encoderModel;
    this.pseudonymKey = b.pseudonymKey;
  }

  /** A builder; at least one input is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The archive roots, series folders and files to encode. */
  public List<Path> inputs() {
    return inputs;
  }

  /**
   * Runs the job: lists the units on the driver, encodes them on the executors and numbers the
   * slices. The result is cached by Spark until {@link EncodedArchive#close()}.
   *
   * @throws IOException if an input does not exist or holds no CT file at all, or a model cannot be
   *     loaded on the driver (it is loaded there once to learn its shape and to fail before any
   *     task starts)
   */
  public EncodedArchive encode(SparkSession spark) throws IOException {
    Objects.requireNonNull(spark, "spark");
    long start = System.nanoTime();
    List<Row> listingErrors = new ArrayList<>();
    List<EncodeUnit.Task> tasks = new ArrayList<>();
    for (Path input : inputs) {
      ReadListener listener =
          new ReadListener() {
            @Override
            public void skipped(Path file, CbmirException reason) {
              listingErrors.add(
                  RowFactory.create(
                      String.valueOf(file),
                      EncodeUnit.reason(String.valueOf(file), reason),
                      input.toString()));
            }
          };
      for (ArchiveUnits.Unit u : ArchiveUnits.list(input, listener)) {
        tasks.add(EncodeUnit.Task.of(u));
      }
    }
    int threads =
        threadsPerTask > 0
            ? threadsPerTask
            : spark.sparkContext().conf().getInt("spark.task.cpus", 1);
    ExecutorModels.Spec spec =
        new ExecutorModels.Spec(
            segmenterModel == null ? null : segmenterModel.toString(),
            encoderModel == null ? null : encoderModel.toString(),
            threads);
    EmbeddingShape shape = ExecutorModels.get(spec).encoder().shape();
    int partitionCount = partitions > 0 ? partitions : Math.max(1, tasks.size());
    LOG.info(
        "encoding {} units of {} in {} partitions, {} ONNX Runtime threads a task, model {}",
        tasks.size(),
        inputs,
        partitionCount,
        threads,
        shape);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Row> encoded =
        jsc.parallelize(tasks, partitionCount)
            .flatMap(new EncodeUnit(spec, pseudonymKey))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> all = spark.createDataFrame(encoded, EncodeUnit.encodedSchema());
    Dataset<Row> errors =
        all.filter(all.col(ArchiveSchema.ERROR_REASON).isNotNull())
            .select(ArchiveSchema.ERROR_PATH, ArchiveSchema.ERROR_REASON, ArchiveSchema.UNIT)
            .union(spark.createDataFrame(listingErrors, ArchiveSchema.errors()))
            .sort(ArchiveSchema.UNIT, ArchiveSchema.ERROR_PATH, ArchiveSchema.ERROR_REASON);
    Dataset<Row> sorted =
        all.filter(all.col(ArchiveSchema.ERROR_REASON).isNull())
            .drop(ArchiveSchema.ERROR_PATH, ArchiveSchema.ERROR_REASON)
            .sort(
                ArchiveSchema.PATIENT_ID,
                ArchiveSchema.SERIES_UID,
                ArchiveSchema.SLICE_INDEX,
                ArchiveSchema.UNIT);
    // zipWithIndex numbers a sorted RDD in its global order (one extra pass to count each
    // partition), without gathering the rows on one machine as a window over the table would.
    JavaRDD<Row> numbered =
        sorted
            .javaRDD()
            .zipWithIndex()
            .map(
                t -> {
                  Row r = t._1();
                  Object[] v = new Object[r.length() + 1];
                  v[0] = Math.toIntExact(t._2());
                  for (int i = 0; i < r.length(); i++) {
                    v[i + 1] = r.get(i);
                  }
                  return RowFactory.create(v);
                });
    Dataset<Row> slices =
        spark
            .createDataFrame(numbered, ArchiveSchema.slices(shape))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> errorTable = errors.cache();
    long n = slices.count();
    long e = errorTable.count();
    // Both tables are cached now; the encoder's output they were made from need not be kept too.
    encoded.unpersist();
    LOG.info(
        "encoded {} slices of {} units in {} s; {} errors",
        n,
        tasks.size(),
        (System.nanoTime() - start) / 1_000_000_000L,
        e);
    return new EncodedArchive(slices, errorTable, shape);
  }

  /** Builder for {@link ArchiveEncoding}; checked in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final List<Path> inputs = new ArrayList<>();
    private int partitions;
    private int threadsPerTask;
    private Path segmenterModel;
    private Path encoderModel;
    private byte[] pseudonymKey;

    private Builder() {}

    /**
     * Adds an input: an archive folder (read recursively, a unit per series folder), one series
     * folder, one DICOM file or one LUNA16 {@code .mhd} file.
     */
    public Builder input(Path path) {
      inputs.add(Objects.requireNonNull(path, "path"));
      return this;
    }

    /** Adds several inputs; see {@link #input}. */
    public Builder inputs(List<Path> paths) {
      paths.forEach(this::input);
      return this;
    }

    /** Spark partitions to spread the units over (default: one unit a partition). */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /**
     * ONNX Runtime intra-op threads of the executor's sessions (default: {@code spark.task.cpus}, 1
     * unless set). An executor runs one task per core, each on its own series, so one thread a task
     * keeps all the executor's cores busy without oversubscribing them; raise it together with
     * {@code spark.task.cpus}.
     */
    public Builder threadsPerTask(int threads) {
      this.threadsPerTask = threads;
      return this;
    }

    /**
     * Stores HMAC-SHA-256 pseudonyms instead of the patient IDs and UIDs read, as {@link
     * org.cbmir.api.IdentifierPolicy#pseudonymise(byte[])} makes them (the same key gives the
     * pseudonyms {@code SimilarCaseSearch} stores with that policy), so that no identifier from a
     * DICOM header reaches the tables, the index or OpenSearch. The key travels to the executors
     * inside Spark's tasks: encrypt the cluster's RPC ({@code spark.network.crypto.enabled}) where
     * that matters. Slices are numbered in pseudonym order.
     *
     * @param key at least 16 bytes (32 random bytes recommended); copied
     * @throws IllegalArgumentException if the key is shorter than 16 bytes
     */
    public Builder pseudonymise(byte[] key) {
      IdentifierPolicy.pseudonymise(key); // checks the key now, not on an executor
      this.pseudonymKey = key.clone();
      return this;
    }

    /** A U-Net file, at this path on every executor, instead of the shipped model. */
    public Builder segmenterModel(Path onnx) {
      this.segmenterModel = Objects.requireNonNull(onnx, "onnx");
      return this;
    }

    /** An InRes-Net file, at this path on every executor, instead of the shipped model. */
    public Builder encoderModel(Path onnx) {
      this.encoderModel = Objects.requireNonNull(onnx, "onnx");
      return this;
    }

    /**
     * Checks and builds.
     *
     * @throws IllegalArgumentException without inputs, or with a negative partition or thread count
     */
    public ArchiveEncoding build() {
      if (inputs.isEmpty()) {
        throw new IllegalArgumentException(
            "no input: add an archive folder, series folder, DICOM or .mhd file with input(path)");
      }
      if (partitions < 0 || threadsPerTask < 0) {
        throw new IllegalArgumentException(
            "partitions and threadsPerTask must be >= 1 (or 0 for the default), got "
                + partitions
                + " and "
                + threadsPerTask);
      }
      return new ArchiveEncoding(this);
    }
  }
}
