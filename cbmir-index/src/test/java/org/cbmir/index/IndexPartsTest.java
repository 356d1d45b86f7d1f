package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each part of the index on its own: the stores, the coarse and fine stages, their sections. */
@ExtendWith(SeedReporter.class)
class IndexPartsTest {
  @TempDir Path dir;

  static HeapCodeStore codes(Random rnd, int n, int bits, long[][] out) {
    HeapCodeStore s = new HeapCodeStore(bits, 4);
    long[][] cs = TestData.codes(rnd, n, bits, 4, 12);
    for (int i = 0; i < n; i++) {
      out[i] = cs[i];
      s.append(TestData.embedding(cs[i], bits, new float[1]));
    }
    return s;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 63, 64, 65, 200})
  void codeStoreGrowsAndAnswersLikeBruteForce(int bits) {
    Random rnd = new Random(Robustness.SEED + (bits));
    int n = 3001;
    long[][] cs = new long[n][];
    HeapCodeStore s = codes(rnd, n, bits, cs);
    assertEquals(n, s.size());
    long[] q = TestData.randomCode(rnd, bits);
    int[] ords = new int[n];
    int[] dists = new int[n];
    int r = bits / 3;
    int m = s.radiusScan(0, n, q, 0, r, ords, dists);
    int w = 0;
    for (int i = 0; i < n; i++) {
      int d = TestData.hamming(cs[i], q);
      assertEquals(d, s.distance(i, q, 0));
      if (d <= r) {
        assertEquals(i, ords[w]);
        assertEquals(d, dists[w++]);
      }
    }
    assertEquals(w, m);
    int len = Math.min(bits, 20);
    int st = bits - len;
    assertEquals(MultiIndexHashing.substring(cs[17], 0, st, len), s.substring(17, st, len));
  }

  @Test
  void featureStoreAcrossPageBoundaries() {
    Random rnd = new Random(Robustness.SEED + 3);
    int dim = 7;
    int n = Pages.ROWS * 2 + 5;
    Float32FeatureStore s = new Float32FeatureStore(dim);
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = TestData.features(rnd, dim);
      s.append(TestData.embedding(new long[1], 64, rows[i]));
    }
    float[] q = TestData.features(rnd, dim);
    int[] probe = {0, Pages.ROWS - 1, Pages.ROWS, n - 1};
    float[] out = new float[probe.length];
    s.squareDistances(q, probe, probe.length, out);
    for (int i = 0; i < probe.length; i++) {
      double want = 0;
      for (int k = 0; k < dim; k++) {
        want += (q[k] - rows[probe[i]][k]) * (q[k] - rows[probe[i]][k]);
      }
      assertEquals(want, out[i], 1e-4);
    }
  }

  @Test
  void coarseStagePoolIsTheSameByScanAndByTables() {
    Random rnd = new Random(Robustness.SEED + 11);
    int n = 20000;
    long[][] cs = new long[n][];
    HeapCodeStore s = codes(rnd, n, 64, cs);
    CoarseStage coarse = new CoarseStage(s);
    assertTrue(coarse.tablesStale());
    coarse.rebuildTables();
    assertTrue(coarse.tables() > 0);
    for (int t = 0; t < 10; t++) {
      long[] q = t % 2 == 0 ? cs[rnd.nextInt(n)] : TestData.randomCode(rnd, 64);
      int r = rnd.nextInt(8);
      int[] byScan = coarse.radiusSearch(q, r, CoarseStrategy.LINEAR_SCAN, Blocked.NONE);
      int[] byTables = coarse.radiusSearch(q, r, CoarseStrategy.MULTI_INDEX_HASHING, Blocked.NONE);
      assertArrayEquals(byScan, byTables, "radius " + r);
      // The widened pool holds the smallest radius with at least the target.
      CoarseStage.Pool pool = coarse.pool(q, 0, r, 500, Blocked.NONE, null);
      int used = pool.radius();
      assertTrue(pool.candidates().size >= 500);
      assertTrue(
          used == r
              || coarse.radiusSearch(q, used - 1, CoarseStrategy.LINEAR_SCAN, Blocked.NONE).length
                  < 500,
          "radius " + used + " is the smallest holding 500");
      assertEquals(
          coarse.radiusSearch(q, used, CoarseStrategy.LINEAR_SCAN, Blocked.NONE).length,
          pool.candidates().size);
    }
  }

  @Test
  void fineStageBreaksTiesByOrdinal() {
    Float32FeatureStore s = new Float32FeatureStore(2);
    float[][] rows = {{1, 0}, {0, 1}, {1, 0}, {0, 0}, {0, 1}};
    for (float[] r : rows) {
      s.append(TestData.embedding(new long[1], 64, r));
    }
    FineStage fine = new FineStage(s, null);
    Candidates c = new Candidates(8);
    for (int i : new int[] {4, 2, 1, 0, 3}) {
      c.add(i, 0);
    }
    long[] keys = fine.rerank(new float[] {0, 0}, c, 5);
    int[] order = Arrays.stream(keys).mapToInt(LongHeap::ordinal).toArray();
    assertArrayEquals(new int[] {3, 0, 1, 2, 4}, order);
    long[] top2 = fine.rerank(new float[] {0, 0}, c, 2);
    assertArrayEquals(new int[] {3, 0}, Arrays.stream(top2).mapToInt(LongHeap::ordinal).toArray());
    long[] all =
        fine.exhaustive(
            new float[] {0, 0}, Blocked.of(org.roaringbitmap.RoaringBitmap.bitmapOf(0)), 5, 5);
    assertArrayEquals(
        new int[] {3, 1, 2, 4}, Arrays.stream(all).mapToInt(LongHeap::ordinal).toArray());
  }

  @Test
  void eachPartReadsBackItsSnapshot() throws IOException {
    Random rnd = new Random(Robustness.SEED + 5);
    int n = 1500;
    long[][] cs = new long[n][];
    HeapCodeStore codes = codes(rnd, n, 100, cs);
    Float32FeatureStore feats = new Float32FeatureStore(3);
    SliceTable table = new HeapSliceTable(4);
    for (int i = 0; i < n; i++) {
      feats.append(TestData.embedding(new long[1], 64, TestData.features(rnd, 3)));
      table.add(TestData.ref(i, 7));
    }
    Path f = dir.resolve("parts");
    try (FileChannel ch =
        FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      SectionWriter w = new SectionWriter(ch);
      SectionSource[] snapshots = {codes.snapshot(n), feats.snapshot(n), table.snapshot(n)};
      // Adds after the snapshot (growing every array) do not reach the file.
      for (int i = 0; i < 5000; i++) {
        codes.append(TestData.embedding(TestData.randomCode(rnd, 100), 100, new float[1]));
        feats.append(TestData.embedding(new long[1], 64, TestData.features(rnd, 3)));
        table.add(TestData.ref(n + i, 11));
      }
      for (SectionSource s : snapshots) {
        s.writeTo(w);
      }
      w.flush();
    }
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      SectionReader r = new SectionReader(f, ch);
      HeapCodeStore c2 = HeapCodeStore.read(r, 100, n);
      Float32FeatureStore f2 = Float32FeatureStore.read(r, 3, n);
      SliceTable t2 = HeapSliceTable.read(r, n);
      long[] q = TestData.randomCode(rnd, 100);
      float[] qf = TestData.features(rnd, 3);
      for (int i = 0; i < n; i += 37) {
        assertEquals(codes.distance(i, q, 0), c2.distance(i, q, 0));
        assertEquals(feats.squareDistance(qf, i), f2.squareDistance(qf, i));
        assertEquals(table.ref(i), t2.ref(i));
      }
    }
    // A part never reads past its section: a wrong count is a corrupt file, not a short read.
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      SectionReader r = new SectionReader(f, ch);
      assertThrows(CorruptIndexException.class, () -> HeapCodeStore.read(r, 100, n + 1));
    }
  }
}
