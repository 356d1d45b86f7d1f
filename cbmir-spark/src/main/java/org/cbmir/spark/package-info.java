/**
 * Encoding whole CT archives on Apache Spark, with the readers and models of the embedded path:
 * {@link org.cbmir.spark.ArchiveEncoding} lists the series on the driver and encodes them on the
 * executors; {@link org.cbmir.spark.EncodedArchive} writes the result to Parquet ({@link
 * org.cbmir.spark.ArchiveSchema}), to an index file or into OpenSearch; {@link
 * org.cbmir.spark.EncodeArchiveJob} is the {@code spark-submit} entry point.
 *
 * <pre>{@code
 * SparkSession spark = SparkSession.builder().master("local[2]").getOrCreate();
 * try (EncodedArchive archive =
 *     ArchiveEncoding.builder().input(Path.of("/archive/LIDC-IDRI")).build().encode(spark)) {
 *   archive.writeParquet(Path.of("/data/lidc-encoded"));
 *   archive.writeIndex(Path.of("/data/lidc.cbmir"));
 * }
 * }</pre>
 *
 * <p>Spark is a {@code provided} dependency: the cluster (or the application) brings Spark 4.2 for
 * Scala 2.13.
 */
package org.cbmir.spark;
