package org.cbmir.spark;

import java.util.List;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.cbmir.api.EmbeddingShape;

/**
 * The columns of an encoded archive, as {@link EncodedArchive#slices()} holds them and its Parquet
 * files store them. One row a slice:
 *
 * <table>
 *   <caption>Slice columns</caption>
 *   <tr><th>column</th><th>type</th><th>meaning</th></tr>
 *   <tr><td>{@value #ORDINAL}</td><td>int</td><td>position in (patient, series, slice, unit) order,
 *       from 0; the ordinal the slice gets in an index built from the table</td></tr>
 *   <tr><td>{@value #PATIENT_ID}</td><td>string</td><td>patient identifier, as read</td></tr>
 *   <tr><td>{@value #STUDY_UID}</td><td>string</td><td>study instance UID, "" when unknown</td></tr>
 *   <tr><td>{@value #SERIES_UID}</td><td>string</td><td>series instance UID</td></tr>
 *   <tr><td>{@value #SLICE_INDEX}</td><td>int</td><td>index in the series sorted by position</td></tr>
 *   <tr><td>{@value #Z_MM}</td><td>double</td><td>slice position in mm, NaN when unknown</td></tr>
 *   <tr><td>{@value #NODULE_CLASS}</td><td>string</td><td>{@link org.cbmir.api.NoduleClass} name
 *       from the annotations beside the images; {@code UNKNOWN} without any</td></tr>
 *   <tr><td>{@value #NODULE_DIAMETER_MM}</td><td>double</td><td>largest nodule on the slice in mm,
 *       0 for none, NaN when unknown</td></tr>
 *   <tr><td>{@value #CODE}</td><td>array&lt;bigint&gt;</td><td>the hash code packed in 64-bit words,
 *       bit {@code i} in word {@code i / 64} at position {@code i % 64}, as {@link
 *       org.cbmir.api.Embedding#code()}</td></tr>
 *   <tr><td>{@value #FEATURES}</td><td>array&lt;float&gt;</td><td>FC1 features</td></tr>
 *   <tr><td>{@value #CLASS_PROBABILITIES}</td><td>array&lt;float&gt;</td><td>the model's FC3
 *       class probabilities, in {@code NoduleClass} order</td></tr>
 *   <tr><td>{@value #UNIT}</td><td>string</td><td>the series folder or MetaImage file read</td></tr>
 * </table>
 *
 * <p>The {@value #CODE} and {@value #FEATURES} columns carry the model in their metadata ({@value
 * #META_FINGERPRINT}, {@value #META_BITS}, {@value #META_DIMENSION}, {@value #META_FORMAT}); Spark
 * stores it in the Parquet footer with the schema, and {@link EncodedArchive#read} refuses a table
 * without it.
 *
 * <p>The error table has one row a file, series or unit that could not be used: {@value
 * #ERROR_PATH} (string), {@value #ERROR_REASON} (string) and {@value #UNIT} (string; the input root
 * for what the listing found).
 *
 * <p>Thread-safety: constants and stateless methods only.
 */
public final class ArchiveSchema {
  private ArchiveSchema() {}

  /** Version of this layout, stored in the column metadata. */
  public static final int FORMAT = 1;

  public static final String ORDINAL = "ordinal";
  public static final String PATIENT_ID = "patient_id";
  public static final String STUDY_UID = "study_uid";
  public static final String SERIES_UID = "series_uid";
  public static final String SLICE_INDEX = "slice_index";
  public static final String Z_MM = "z_mm";
  public static final String NODULE_CLASS = "nodule_class";
  public static final String NODULE_DIAMETER_MM = "nodule_diameter_mm";
  public static final String CODE = "code";
  public static final String FEATURES = "features";
  public static final String CLASS_PROBABILITIES = "class_probabilities";
  public static final String UNIT = "unit";
  public static final String ERROR_PATH = "path";
  public static final String ERROR_REASON = "reason";

  public static final String META_FINGERPRINT = "cbmir.modelFingerprint";
  public static final String META_BITS = "cbmir.bits";
  public static final String META_DIMENSION = "cbmir.featureDimension";
  public static final String META_FORMAT = "cbmir.format";

  /** The slice columns for embeddings of this shape, the model in their metadata. */
  public static StructType slices(EmbeddingShape shape) {
    return slices(
        new MetadataBuilder()
            .putString(META_FINGERPRINT, shape.modelFingerprint())
            .putLong(META_BITS, shape.bits())
            .putLong(META_DIMENSION, shape.featureDimension())
            .putLong(META_FORMAT, FORMAT)
            .build());
  }

  /** The slice columns, this metadata on the code and features. */
  static StructType slices(Metadata model) {
    return new StructType(
        new StructField[] {
          DataTypes.createStructField(ORDINAL, DataTypes.IntegerType, false),
          DataTypes.createStructField(PATIENT_ID, DataTypes.StringType, false),
          DataTypes.createStructField(STUDY_UID, DataTypes.StringType, false),
          DataTypes.createStructField(SERIES_UID, DataTypes.StringType, false),
          DataTypes.createStructField(SLICE_INDEX, DataTypes.IntegerType, false),
          DataTypes.createStructField(Z_MM, DataTypes.DoubleType, false),
          DataTypes.createStructField(NODULE_CLASS, DataTypes.StringType, false),
          DataTypes.createStructField(NODULE_DIAMETER_MM, DataTypes.DoubleType, false),
          DataTypes.createStructField(
              CODE, DataTypes.createArrayType(DataTypes.LongType, false), false, model),
          DataTypes.createStructField(
              FEATURES, DataTypes.createArrayType(DataTypes.FloatType, false), false, model),
          DataTypes.createStructField(
              CLASS_PROBABILITIES, DataTypes.createArrayType(DataTypes.FloatType, false), false),
          DataTypes.createStructField(UNIT, DataTypes.StringType, false)
        });
  }

  /** The error table's columns. */
  public static StructType errors() {
    return new StructType(
        new StructField[] {
          DataTypes.createStructField(ERROR_PATH, DataTypes.StringType, false),
          DataTypes.createStructField(ERROR_REASON, DataTypes.StringType, false),
          DataTypes.createStructField(UNIT, DataTypes.StringType, false)
        });
  }

  /**
   * The model a slice table was encoded with, from its {@value #CODE} column's metadata.
   *
   * @param where names the table in the message, e.g. its path
   * @throws IllegalArgumentException if the columns are not this layout's or carry no model
   */
  public static EmbeddingShape shapeOf(StructType schema, String where) {
    List<String> names = List.of(schema.fieldNames());
    for (StructField f : slices(Metadata.empty()).fields()) {
      if (!names.contains(f.name())) {
        throw new IllegalArgumentException(
            where
                + " is not a cbmir slice table: column '"
                + f.name()
                + "' is missing (columns: "
                + names
                + ")");
      }
    }
    Metadata m = schema.apply(CODE).metadata();
    if (!m.contains(META_FINGERPRINT) || !m.contains(META_BITS) || !m.contains(META_DIMENSION)) {
      throw new IllegalArgumentException(
          where
              + ": column '"
              + CODE
              + "' carries no model ("
              + META_FINGERPRINT
              + ", "
              + META_BITS
              + ", "
              + META_DIMENSION
              + " expected in its metadata, found "
              + m.json()
              + "); write such tables with EncodedArchive.writeParquet");
    }
    long format = m.contains(META_FORMAT) ? m.getLong(META_FORMAT) : -1;
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          where + " has cbmir table format " + format + "; this version reads format " + FORMAT);
    }
    return new EmbeddingShape(
        (int) m.getLong(META_BITS), (int) m.getLong(META_DIMENSION), m.getString(META_FINGERPRINT));
  }
}
