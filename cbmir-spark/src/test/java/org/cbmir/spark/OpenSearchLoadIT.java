package org.cbmir.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.cbmir.api.Embedding;
import org.cbmir.api.EmbeddingShape;
import org.cbmir.api.Hit;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.cbmir.opensearch.OpenSearchIndexes;
import org.cbmir.opensearch.OpenSearchNode;
import org.cbmir.opensearch.OpenSearchRetrievalIndex;
import org.cbmir.opensearch.OpenSearchTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EncodedArchive#writeOpenSearch}: a slice table spread over several partitions, loaded by
 * the executors into a real OpenSearch node under the table's ordinals, answers every search as the
 * index file built from the same table does.
 */
@ExtendWith({OpenSearchNode.class, SeedReporter.class})
class OpenSearchLoadIT {
  private static final int SLICES = 3000;
  private static final EmbeddingShape SHAPE = new EmbeddingShape(64, 32, "spark-load-test");

  @TempDir Path dir;

  /** A table of random slices in 30 series of 10 patients, numbered as the job numbers them. */
  private static Dataset<Row> table(SparkSession spark, Random rnd) {
    List<Row> rows = new ArrayList<>();
    for (int o = 0; o < SLICES; o++) {
      long[] code = {rnd.nextLong() & (rnd.nextLong() | rnd.nextLong())};
      float[] f = new float[SHAPE.featureDimension()];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) rnd.nextGaussian();
      }
      int series = o / 100;
      rows.add(
          RowFactory.create(
              o,
              String.format(java.util.Locale.ROOT, "P%02d", series / 3),
              "1.2.3",
              "1.2.3." + series,
              o % 100,
              o % 100 * 2.5,
              NoduleClass.values()[o % 8].name(),
              (double) (o % 8) * 3,
              code,
              f,
              new float[0],
              "unit-" + series));
    }
    return spark.createDataFrame(rows, ArchiveSchema.slices(SHAPE)).repartition(4);
  }

  @Test
  void loadedByTheExecutorsItSearchesAsTheIndexFileDoes() throws IOException {
    Random rnd = new Random(Robustness.SEED + 31);
    SparkSession spark = LocalSpark.start(2);
    OpenSearchTarget target = OpenSearchNode.target("spark-load");
    try (EncodedArchive archive =
        new EncodedArchive(
            table(spark, rnd),
            spark.createDataFrame(List.<Row>of(), ArchiveSchema.errors()),
            SHAPE)) {
      assertEquals(SLICES, archive.writeOpenSearch(target));
      Path file = dir.resolve("same.cbmir");
      archive.writeIndex(file);
      IllegalArgumentException again =
          assertThrows(IllegalArgumentException.class, () -> archive.writeOpenSearch(target));
      assertTrue(again.getMessage().contains("already exists"), again.getMessage());
      try (OpenSearchRetrievalIndex remote =
              OpenSearchIndexes.open(target, SHAPE.modelFingerprint());
          RetrievalIndex local = RetrievalIndexes.open(file, SHAPE.modelFingerprint())) {
        assertEquals(SLICES, remote.size());
        for (int o = 0; o < SLICES; o += 97) {
          assertEquals(local.ref(o), remote.ref(o), "ordinal " + o);
        }
        SearchRequest request = SearchRequest.builder().k(10).build();
        for (int q = 0; q < 20; q++) {
          float[] f = new float[SHAPE.featureDimension()];
          for (int i = 0; i < f.length; i++) {
            f[i] = (float) rnd.nextGaussian();
          }
          Embedding query =
              Embedding.builder()
                  .fc1(f)
                  .code(new long[] {rnd.nextLong()}, 64)
                  .modelFingerprint(SHAPE.modelFingerprint())
                  .build();
          List<Hit> a = local.search(query, request).hits();
          List<Hit> b = remote.search(query, request).hits();
          assertEquals(a.size(), b.size(), "query " + q);
          for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).ordinal(), b.get(i).ordinal(), "query " + q + " rank " + i);
            assertEquals(a.get(i).ref(), b.get(i).ref());
            assertEquals(a.get(i).hammingDistance(), b.get(i).hammingDistance());
            // The node sums the squares in another order: the last bit may differ.
            assertEquals(a.get(i).featureDistance(), b.get(i).featureDistance(), 1e-5);
          }
        }
      }
    } finally {
      OpenSearchIndexes.delete(target);
      spark.stop();
    }
  }
}
