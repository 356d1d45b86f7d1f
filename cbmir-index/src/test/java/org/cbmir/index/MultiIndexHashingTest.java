package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Multi-index hashing must return exactly what the linear scan and a brute-force loop return. */
@Tag("kernels")
@ExtendWith(SeedReporter.class)
class MultiIndexHashingTest {

  @ParameterizedTest(name = "bits={0} clusters={1} n={2}")
  @CsvSource({
    "64, 0, 20000",
    "64, 8, 20000",
    "128, 0, 12000",
    "128, 5, 12000",
    "37, 0, 9000",
    "37, 4, 9000",
    "200, 3, 6000",
  })
  void mihEqualsScanEqualsBruteForce(int bits, int clusters, int n) {
    Random rnd = new Random(Robustness.SEED + (bits * 31L + clusters));
    long[][] codes = TestData.codes(rnd, n, bits, clusters, Math.max(2, bits / 8));
    IndexConfig config =
        IndexConfig.builder()
            .bits(bits)
            .featureDimension(3)
            .modelFingerprint(TestData.MODEL)
            .build();
    try (HammingRetrievalIndex index = new HammingRetrievalIndex(config)) {
      for (int i = 0; i < n; i++) {
        index.add(TestData.ref(i, 7), TestData.embedding(codes[i], bits, new float[] {i, 0, 1}));
      }
      // Remove some, and add a tail that is not in the tables yet.
      for (int i = 0; i < n; i += 97) {
        index.remove(i);
      }
      assertTrue(index.multiIndexTables() >= 1, "tables are built for " + n + " codes");
      int extra = 300;
      long[][] tail = TestData.codes(rnd, extra, bits, clusters, Math.max(2, bits / 8));
      for (int i = 0; i < extra; i++) {
        index.add(TestData.ref(n + i, 7), TestData.embedding(tail[i], bits, new float[3]));
      }
      List<long[]> all = new ArrayList<>(List.of(codes));
      all.addAll(List.of(tail));

      for (int q = 0; q < 12; q++) {
        long[] query =
            q % 2 == 0 ? TestData.randomCode(rnd, bits) : all.get(rnd.nextInt(n)).clone();
        for (int radius : new int[] {0, 1, 2, 4, 8, bits / 4}) {
          final int r = radius;
          int[] expected =
              IntStream.range(0, all.size())
                  .filter(i -> !(i < n && i % 97 == 0))
                  .filter(i -> TestData.hamming(all.get(i), query) <= r)
                  .toArray();
          int[] viaScan = index.radiusSearch(query, r, CoarseStrategy.LINEAR_SCAN);
          int[] viaMih = index.radiusSearch(query, r, CoarseStrategy.MULTI_INDEX_HASHING);
          int[] viaAuto = index.radiusSearch(query, r, CoarseStrategy.AUTO);
          String what = "query " + q + " radius " + r;
          assertArrayEquals(expected, viaScan, what + " (scan)");
          assertArrayEquals(expected, viaMih, what + " (MIH)");
          assertArrayEquals(expected, viaAuto, what + " (auto)");
        }
      }
      IllegalArgumentException none =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> index.radiusSearch(all.get(0), 1, CoarseStrategy.NONE));
      org.junit.jupiter.api.Assertions.assertTrue(
          none.getMessage().contains("AUTO"), none.getMessage());
    }
  }

  @org.junit.jupiter.api.Test
  void roaringBucketsWouldCostMore() {
    // The design alternative: one RoaringBitmap per bucket. Measured on 1M uniform 64-bit codes
    // with the table layout this class picks (4 tables of 16 bits).
    int n = 1_000_000;
    Random rnd = new Random(Robustness.SEED + 9);
    long[] codes = new long[n];
    for (int i = 0; i < n; i++) {
      codes[i] = rnd.nextLong();
    }
    int tables = MultiIndexHashing.tablesFor(64, n);
    int width = 64 / tables;
    long roaringBytes = 0;
    for (int t = 0; t < tables; t++) {
      org.roaringbitmap.RoaringBitmap[] buckets = new org.roaringbitmap.RoaringBitmap[1 << width];
      for (int i = 0; i < n; i++) {
        int key = MultiIndexHashing.substring(codes, i, t * width, width);
        if (buckets[key] == null) {
          buckets[key] = new org.roaringbitmap.RoaringBitmap();
        }
        buckets[key].add(i);
      }
      for (var b : buckets) {
        // Serialized size: a lower bound on the heap size, which adds object headers.
        roaringBytes += b == null ? 0 : b.serializedSizeInBytes();
      }
    }
    double perEntry = (double) roaringBytes / ((long) n * tables);
    double ours =
        (double) MultiIndexHashing.build(HeapCodeStore.wrap(64, codes, n), n).ramBytesUsed()
            / ((long) n * tables);
    System.out.printf(
        Locale.ROOT,
        "MIH bucket storage per entry: RoaringBitmap >= %.1f bytes, CSR %.2f bytes%n",
        perEntry,
        ours);
    assertTrue(perEntry > 2 * ours, "roaring " + perEntry + " vs ours " + ours);
  }

  @ParameterizedTest
  @CsvSource({"64, 1000", "64, 1000000", "64, 10000000", "128, 10000000", "1024, 100", "5, 100000"})
  void tablesFollowLog2N(int bits, int n) {
    int m = MultiIndexHashing.tablesFor(bits, n);
    int width = (bits + m - 1) / m;
    assertTrue(m >= 1 && m <= bits, "tables " + m);
    assertTrue(width <= MultiIndexHashing.MAX_SUBSTRING_BITS, "substring " + width + " bits");
    double log2n = Math.log(n) / Math.log(2);
    assertTrue(width <= log2n, "offsets never outnumber the codes: " + width + " bits for n=" + n);
    if (bits >= log2n) {
      assertTrue(width >= log2n / 2, "substring of " + width + " bits for n=" + n);
    }
    assertEquals(m, MultiIndexHashing.tablesFor(bits, n), "deterministic");
  }
}
