package org.cbmir.spark;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.cbmir.api.Embedding;
import org.cbmir.api.EmbeddingShape;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SliceRef;
import org.cbmir.opensearch.OpenSearchIndexes;
import org.cbmir.opensearch.OpenSearchRetrievalIndex;
import org.cbmir.opensearch.OpenSearchTarget;

/**
 * An encoded archive: a table of slices with their codes and features ({@link ArchiveSchema}),
 * numbered in (patient, series, slice) order, and a table of what could not be encoded. Made by
 * {@link ArchiveEncoding#encode} or read back with {@link #read}; written to Parquet, to an index
 * file, or into OpenSearch.
 *
 * <pre>{@code
 * try (EncodedArchive archive = EncodedArchive.read(spark, Path.of("/data/lidc-encoded"))) {
 *   archive.writeIndex(Path.of("/data/lidc.cbmir"));
 * }
 * }</pre>
 *
 * <p>Thread-safety: not thread-safe; use from the driver thread that made it. {@link #close()}
 * releases Spark's cached copies; closing twice is harmless, and the tables must not be used after.
 */
public final class EncodedArchive implements AutoCloseable {
  /** Folder of the slice table under a {@link #writeParquet} folder. */
  public static final String SLICES = "slices";

  /** Folder of the error table under a {@link #writeParquet} folder. */
  public static final String ERRORS = "errors";

  private final Dataset<Row> slices;
  private final Dataset<Row> errors;
  private final EmbeddingShape shape;
  private boolean closed;

  EncodedArchive(Dataset<Row> slices, Dataset<Row> errors, EmbeddingShape shape) {
    this.slices = slices;
    this.errors = errors;
    this.shape = shape;
  }

  /**
   * Reads an archive written by {@link #writeParquet}, checking that it is cbmir's layout and
   * carries its model.
   *
   * @throws java.nio.file.NoSuchFileException if the folder has no slice table
   * @throws IllegalArgumentException if the table is not a cbmir slice table of this format
   */
  public static EncodedArchive read(SparkSession spark, Path folder) throws IOException {
    Objects.requireNonNull(spark, "spark");
    Path s = folder.resolve(SLICES);
    if (!Files.isDirectory(s)) {
      throw new NoSuchFileException(
          s.toString(), null, "no slice table; write one with EncodedArchive.writeParquet");
    }
    Dataset<Row> slices = spark.read().parquet(s.toString());
    EmbeddingShape shape = ArchiveSchema.shapeOf(slices.schema(), s.toString());
    Path e = folder.resolve(ERRORS);
    Dataset<Row> errors =
        Files.isDirectory(e)
            ? spark.read().parquet(e.toString())
            : spark.createDataFrame(List.<Row>of(), ArchiveSchema.errors());
    return new EncodedArchive(slices, errors, shape);
  }

  /** One row a slice, numbered; columns in {@link ArchiveSchema}. */
  public Dataset<Row> slices() {
    checkOpen();
    return slices;
  }

  /** One row a file, series or unit that was not encoded: path, reason, unit. */
  public Dataset<Row> errors() {
    checkOpen();
    return errors;
  }

  /** Bits, feature dimension and model of the embeddings. */
  public EmbeddingShape shape() {
    return shape;
  }

  /**
   * Writes both tables as Parquet under {@code folder} ({@value #SLICES}/ and {@value #ERRORS}/),
   * the model in the slice table's schema metadata.
   *
   * @throws FileAlreadyExistsException if the folder already holds either table (nothing is written
   *     then)
   */
  public void writeParquet(Path folder) throws IOException {
    checkOpen();
    for (String table : List.of(SLICES, ERRORS)) {
      if (Files.exists(folder.resolve(table))) {
        throw new FileAlreadyExistsException(
            folder.resolve(table).toString(),
            null,
            "already holds a table; choose another folder or delete it");
      }
    }
    slices.write().mode(SaveMode.ErrorIfExists).parquet(folder.resolve(SLICES).toString());
    errors
        .coalesce(1)
        .write()
        .mode(SaveMode.ErrorIfExists)
        .parquet(folder.resolve(ERRORS).toString());
  }

  /**
   * Builds an in-process index on the driver from the slices in ordinal order and saves it
   * atomically: the same file as {@code SimilarCaseSearch} ingesting the same series in that order
   * saves. The rows stream through the driver one partition at a time.
   *
   * @return the number of slices indexed
   * @throws IOException if the file cannot be written (an existing one is left as it was)
   */
  public int writeIndex(Path file) throws IOException {
    checkOpen();
    try (RetrievalIndex index =
        RetrievalIndexes.create(IndexConfig.builder().shape(shape).build())) {
      Iterator<Row> rows = slices.sort(ArchiveSchema.ORDINAL).toLocalIterator();
      while (rows.hasNext()) {
        Row r = rows.next();
        int expected = r.getInt(r.fieldIndex(ArchiveSchema.ORDINAL));
        int ord = index.add(ref(r), embedding(r, shape.bits(), shape.modelFingerprint()));
        if (ord != expected) {
          throw new IllegalStateException(
              "slice table is not numbered 0..n-1: ordinal "
                  + expected
                  + " where "
                  + ord
                  + " was due");
        }
      }
      index.save(file);
      return index.size();
    }
  }

  /**
   * Loads the slices into a new OpenSearch index at the target, each executor sending its rows in
   * bulk requests under their ordinals, and returns the number of slices the index then holds.
   *
   * @throws IllegalArgumentException if the target already holds an index (delete it, or name
   *     another: a rerun must not mix two runs)
   * @throws org.cbmir.opensearch.BulkWriteException if the node refused some slices (they are
   *     named)
   */
  public int writeOpenSearch(OpenSearchTarget target) throws IOException {
    checkOpen();
    Objects.requireNonNull(target, "target");
    OpenSearchIndexes.create(target, IndexConfig.builder().shape(shape).build()).close();
    int bits = shape.bits();
    String model = shape.modelFingerprint();
    slices.foreachPartition(
        (ForeachPartitionFunction<Row>)
            rows -> {
              try (OpenSearchRetrievalIndex index = OpenSearchIndexes.open(target, model)) {
                while (rows.hasNext()) {
                  Row r = rows.next();
                  index.add(
                      r.getInt(r.fieldIndex(ArchiveSchema.ORDINAL)),
                      ref(r),
                      embedding(r, bits, model));
                }
              }
            });
    try (OpenSearchRetrievalIndex index = OpenSearchIndexes.open(target, model)) {
      return index.size();
    }
  }

  static SliceRef ref(Row r) {
    return new SliceRef(
        r.getString(r.fieldIndex(ArchiveSchema.PATIENT_ID)),
        r.getString(r.fieldIndex(ArchiveSchema.STUDY_UID)),
        r.getString(r.fieldIndex(ArchiveSchema.SERIES_UID)),
        r.getInt(r.fieldIndex(ArchiveSchema.SLICE_INDEX)),
        r.getDouble(r.fieldIndex(ArchiveSchema.Z_MM)),
        NoduleClass.valueOf(r.getString(r.fieldIndex(ArchiveSchema.NODULE_CLASS))),
        r.getDouble(r.fieldIndex(ArchiveSchema.NODULE_DIAMETER_MM)));
  }

  static Embedding embedding(Row r, int bits, String model) {
    List<Long> code = r.getList(r.fieldIndex(ArchiveSchema.CODE));
    long[] words = new long[code.size()];
    for (int i = 0; i < words.length; i++) {
      words[i] = code.get(i);
    }
    return Embedding.builder()
        .fc1(floats(r.getList(r.fieldIndex(ArchiveSchema.FEATURES))))
        .code(words, bits)
        .classProbabilities(floats(r.getList(r.fieldIndex(ArchiveSchema.CLASS_PROBABILITIES))))
        .modelFingerprint(model)
        .build();
  }

  private static float[] floats(List<Float> list) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("EncodedArchive is closed");
    }
  }

  /** Drops Spark's cached copies of the tables; closing twice is harmless. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    slices.unpersist();
    errors.unpersist();
  }
}
