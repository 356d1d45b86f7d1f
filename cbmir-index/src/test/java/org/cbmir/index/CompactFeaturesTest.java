package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Int8 and float16 features against float32 on the same slices: distances within the quantisation
 * error, the same top 10 for nearly every query (exactly the same when re-scored), the compact
 * memory, and the file round trip.
 */
@ExtendWith(SeedReporter.class)
class CompactFeaturesTest {
  @TempDir Path dir;

  private static final int BITS = 64;
  private static final int DIM = 256;

  /** The same slices in an index of each storage. */
  private record Built(
      Map<FeatureStorage, RetrievalIndex> index, long[][] codes, float[][] features) {}

  /** Clustered codes and features: neighbours close in both, as an encoder's embeddings are. */
  private static Built build(int n, long seed) {
    Random rnd = new Random(seed);
    long[][] codes = TestData.codes(rnd, n, BITS, 40, 8);
    float[][] centres = new float[40][];
    for (int c = 0; c < centres.length; c++) {
      centres[c] = TestData.features(rnd, DIM);
    }
    Map<FeatureStorage, RetrievalIndex> out = new EnumMap<>(FeatureStorage.class);
    for (FeatureStorage s : FeatureStorage.values()) {
      out.put(
          s,
          RetrievalIndexes.create(
              IndexConfig.builder()
                  .bits(BITS)
                  .featureDimension(DIM)
                  .modelFingerprint(TestData.MODEL)
                  .featureStorage(s)
                  .build()));
    }
    float[][] features = new float[n][];
    for (int i = 0; i < n; i++) {
      float[] f = centres[i % centres.length].clone();
      for (int d = 0; d < DIM; d++) {
        f[d] += 0.3f * (float) rnd.nextGaussian();
      }
      features[i] = f;
      Embedding e = TestData.embedding(codes[i], BITS, f);
      for (RetrievalIndex index : out.values()) {
        index.add(TestData.ref(i, 13), e);
      }
    }
    return new Built(out, codes, features);
  }

  private static List<Integer> ordinals(List<Hit> hits) {
    List<Integer> o = new ArrayList<>();
    hits.forEach(h -> o.add(h.ordinal()));
    return o;
  }

  @Test
  void int8RanksAlmostLikeFloat32AndRescoredExactlyLikeIt() {
    int n = 20_000;
    Built b = build(n, Robustness.SEED);
    Random rnd = new Random(Robustness.SEED + 1);
    int queries = 300;
    Map<FeatureStorage, Integer> same = new EnumMap<>(FeatureStorage.class);
    double worstRelative = 0;
    long overlap = 0;
    for (int q = 0; q < queries; q++) {
      // A query near an indexed slice, as a real query lies near its neighbours.
      int near = rnd.nextInt(n);
      float[] qf = b.features()[near].clone();
      for (int d = 0; d < DIM; d++) {
        qf[d] += 0.2f * (float) rnd.nextGaussian();
      }
      Embedding query = TestData.embedding(b.codes()[near], BITS, qf);
      SearchRequest req = SearchRequest.builder().k(10).minPoolSize(1000).build();
      List<Hit> exact = b.index().get(FeatureStorage.FLOAT32).search(query, req).hits();
      for (FeatureStorage s : FeatureStorage.values()) {
        List<Hit> got = b.index().get(s).search(query, req).hits();
        if (ordinals(got).equals(ordinals(exact))) {
          same.merge(s, 1, Integer::sum);
        }
        if (s == FeatureStorage.INT8) {
          overlap += ordinals(got).stream().filter(ordinals(exact)::contains).count();
          for (int i = 0; i < got.size(); i++) {
            worstRelative =
                Math.max(
                    worstRelative,
                    Math.abs(got.get(i).featureDistance() - exact.get(i).featureDistance())
                        / exact.get(i).featureDistance());
          }
        }
      }
    }
    b.index().values().forEach(RetrievalIndex::close);
    double int8 = same.getOrDefault(FeatureStorage.INT8, 0) / (double) queries;
    double rescored = same.getOrDefault(FeatureStorage.INT8_RESCORED, 0) / (double) queries;
    double half = same.getOrDefault(FeatureStorage.FLOAT16, 0) / (double) queries;
    double recall = overlap / (10.0 * queries);
    System.out.printf(
        java.util.Locale.ROOT,
        "compact features: top 10 identical to float32's (same"
            + " slices, same order) for %.3f of %d queries with INT8_RESCORED, %.3f with FLOAT16,"
            + " %.3f with INT8 (whose top 10 holds %.3f of float32's top 10); worst relative distance"
            + " error of an INT8 hit %.4f%n",
        rescored,
        queries,
        half,
        int8,
        recall,
        worstRelative);
    assertEquals(queries, same.get(FeatureStorage.FLOAT32));
    assertTrue(rescored >= 0.99, "re-scored top 10 equal for " + rescored);
    // Half precision rounds each stored value; neighbours closer than that rounding may swap.
    assertTrue(half >= 0.95, "float16 top 10 equal for " + half);
    assertTrue(recall >= 0.9, "int8 top 10 holds " + recall + " of float32's");
    assertTrue(worstRelative < 0.02, "int8 distances within 2%: " + worstRelative);
  }

  @Test
  void compactIndexesSaveAndOpenWithTheSameAnswers() throws IOException {
    Map<FeatureStorage, RetrievalIndex> idx = build(3_000, 5).index();
    Random rnd = new Random(Robustness.SEED + 6);
    for (FeatureStorage s : FeatureStorage.values()) {
      Path f = dir.resolve(s + ".cbmir");
      RetrievalIndex index = idx.get(s);
      index.remove(17);
      index.save(f);
      int version =
          ByteBuffer.wrap(Files.readAllBytes(f), 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      assertEquals(
          s == FeatureStorage.FLOAT32 ? 1 : 2,
          version,
          "float32 files stay readable by version-1 readers");
      try (RetrievalIndex back = RetrievalIndexes.open(f, TestData.MODEL)) {
        assertEquals(s, ((HammingRetrievalIndex) back).featureStorage());
        for (int q = 0; q < 20; q++) {
          Embedding e =
              TestData.embedding(TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM));
          for (SearchMode mode : SearchMode.values()) {
            SearchRequest req = SearchRequest.builder().k(10).mode(mode).build();
            assertEquals(index.search(e, req).hits(), back.search(e, req).hits(), s + " " + mode);
          }
        }
      }
      index.close();
    }
    // A damaged int8 row is refused by name.
    byte[] b = Files.readAllBytes(dir.resolve("INT8.cbmir"));
    b[b.length / 2] ^= 0x40;
    Path bad = dir.resolve("bad.cbmir");
    Files.write(bad, b);
    CorruptIndexException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            CorruptIndexException.class, () -> RetrievalIndexes.open(bad, TestData.MODEL));
    assertTrue(e.getMessage().contains("bad.cbmir"), e.getMessage());
  }

  @Test
  void int8HotArraysFitTheBudget() {
    Map<FeatureStorage, RetrievalIndex> idx = build(10_240, 9).index();
    double hot = ((HammingRetrievalIndex) idx.get(FeatureStorage.INT8)).hotBytesPerSlice();
    double float32 = ((HammingRetrievalIndex) idx.get(FeatureStorage.FLOAT32)).hotBytesPerSlice();
    System.out.printf(
        java.util.Locale.ROOT,
        "hot bytes per slice at B = %d, D = %d: float32 %.1f,"
            + " int8 %.1f (budget B/8 + D + 24 = %d)%n",
        BITS,
        DIM,
        float32,
        hot,
        BITS / 8 + DIM + 24);
    assertTrue(hot <= BITS / 8 + DIM + 24, "int8 hot bytes per slice " + hot);
    idx.values().forEach(RetrievalIndex::close);
  }
}
