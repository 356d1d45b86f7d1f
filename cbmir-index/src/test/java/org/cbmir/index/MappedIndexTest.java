package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.OpenOptions;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.cbmir.index.conformance.RetrievalIndexConformance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Memory-mapped indexes against the same file read into memory: the same answers to random requests
 * for every feature storage, read-only for adds but not for removes and saves, checksums verified
 * at open or on first use, and a file truncated underneath reported, not a crash.
 */
@ExtendWith(SeedReporter.class)
class MappedIndexTest {
  @TempDir Path dir;

  private static final int BITS = 64;
  private static final int DIM = 40;
  private static final int N = 6_000;

  private static OpenOptions mapped(OpenOptions.Checksums when) {
    return OpenOptions.builder()
        .modelFingerprint(TestData.MODEL)
        .memoryMapped()
        .checksums(when)
        .build();
  }

  /** A saved index of {@code storage}: clustered codes and features, some classes unknown. */
  private Path saved(FeatureStorage storage, long seed) throws IOException {
    Random rnd = new Random(seed);
    long[][] codes = TestData.codes(rnd, N, BITS, 30, 6);
    try (RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(BITS)
                .featureDimension(DIM)
                .modelFingerprint(TestData.MODEL)
                .featureStorage(storage)
                .build())) {
      for (int i = 0; i < N; i++) {
        SliceRef ref = TestData.ref(i, 37);
        if (i % 11 == 0) {
          ref = ref.toBuilder().noduleClass(NoduleClass.UNKNOWN).noduleDiameterMm(0).build();
        }
        index.add(ref, TestData.embedding(codes[i], BITS, TestData.features(rnd, DIM)));
      }
      for (int i = 0; i < N; i += 97) {
        index.remove(i);
      }
      Path f = dir.resolve(storage + ".cbmir");
      index.save(f);
      return f;
    }
  }

  @ParameterizedTest
  @EnumSource(FeatureStorage.class)
  void mappedAnswersEqualTheHeapIndexs(FeatureStorage storage) throws IOException {
    Path f = saved(storage, Robustness.SEED + storage.ordinal());
    Random rnd = new Random(Robustness.SEED);
    try (RetrievalIndex heap = RetrievalIndexes.open(f, TestData.MODEL);
        RetrievalIndex lazy = RetrievalIndexes.open(f, mapped(OpenOptions.Checksums.ON_FIRST_USE));
        RetrievalIndex eager = RetrievalIndexes.open(f, mapped(OpenOptions.Checksums.AT_OPEN))) {
      assertTrue(((HammingRetrievalIndex) lazy).isMemoryMapped());
      assertFalse(((HammingRetrievalIndex) heap).isMemoryMapped());
      assertEquals(heap.size(), lazy.size());
      assertEquals(heap.ordinalCount(), lazy.ordinalCount());
      for (int q = 0; q < 150; q++) {
        Embedding query =
            TestData.embedding(TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM));
        SearchRequest req = RetrievalIndexConformance.randomRequest(rnd, 37);
        SearchResult expected = heap.search(query, req);
        assertEquals(expected.hits(), lazy.search(query, req).hits(), storage + " " + req);
        assertEquals(expected.hits(), eager.search(query, req).hits(), storage + " " + req);
      }
      List<Embedding> batch = new ArrayList<>();
      for (int q = 0; q < 9; q++) {
        batch.add(
            TestData.embedding(TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM)));
      }
      SearchRequest req = SearchRequest.builder().k(10).minPoolSize(300).build();
      List<SearchResult> a = heap.searchBatch(batch, req);
      List<SearchResult> b = lazy.searchBatch(batch, req);
      for (int q = 0; q < batch.size(); q++) {
        assertEquals(a.get(q).hits(), b.get(q).hits(), "batch query " + q);
      }
      for (int ord = 0; ord < N; ord += 7) {
        assertEquals(heap.ref(ord), lazy.ref(ord));
        assertEquals(heap.isRemoved(ord), lazy.isRemoved(ord));
      }
    }
  }

  @Test
  void aMappedIndexRefusesAddsButRemovesAndSaves() throws IOException {
    Path f = saved(FeatureStorage.INT8_RESCORED, 3);
    Path copy = dir.resolve("copy.cbmir");
    Random rnd = new Random(Robustness.SEED + 4);
    Embedding query =
        TestData.embedding(TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM));
    SearchRequest req = SearchRequest.builder().k(20).build();
    try (RetrievalIndex index =
        RetrievalIndexes.open(f, mapped(OpenOptions.Checksums.ON_FIRST_USE))) {
      UnsupportedOperationException e =
          assertThrows(
              UnsupportedOperationException.class, () -> index.add(TestData.ref(1, 3), query));
      assertTrue(
          e.getMessage().contains("memory-mapped") && e.getMessage().contains(f.toString()),
          e.getMessage());
      int before = index.size();
      int victim = index.search(query, req).hits().get(0).ordinal();
      assertTrue(index.remove(victim));
      assertEquals(before - 1, index.size());
      index.save(copy);
      // Saving over the mapped file itself writes a new file: the mapping keeps answering.
      index.save(f);
      assertEquals(index.search(query, req).hits().size(), 20);
      for (Path p : List.of(copy, f)) {
        try (RetrievalIndex back = RetrievalIndexes.open(p, TestData.MODEL)) {
          assertTrue(back.isRemoved(victim), p.toString());
          assertEquals(index.search(query, req).hits(), back.search(query, req).hits());
        }
      }
    }
  }

  /** The file offset of a section's payload (found by its name, which precedes it). */
  private static int payloadOf(byte[] file, String section) {
    byte[] name = section.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 4; i + name.length + 8 < file.length; i++) {
      for (int j = 0; j < name.length; j++) {
        if (file[i + j] != name[j]) {
          continue outer;
        }
      }
      int len = ByteBuffer.wrap(file, i - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      if (len == name.length) {
        return i + name.length + 8;
      }
    }
    throw new AssertionError("no section " + section);
  }

  @ParameterizedTest
  @EnumSource(
      value = FeatureStorage.class,
      names = {"FLOAT32", "INT8", "FLOAT16"})
  void damagedFeaturesFailTheOpenOrTheFirstSearch(FeatureStorage storage) throws IOException {
    Path f = saved(storage, 5);
    byte[] b = Files.readAllBytes(f);
    String section = IndexFile.featureSections(storage).get(0);
    b[payloadOf(b, section) + 1234] ^= 0x10;
    Path bad = dir.resolve("bad-" + storage + ".cbmir");
    Files.write(bad, b);
    CorruptIndexException atOpen =
        assertThrows(
            CorruptIndexException.class,
            () -> RetrievalIndexes.open(bad, mapped(OpenOptions.Checksums.AT_OPEN)));
    assertEquals(section, atOpen.section());
    Random rnd = new Random(Robustness.SEED + 6);
    Embedding query =
        TestData.embedding(TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM));
    try (RetrievalIndex lazy =
        RetrievalIndexes.open(bad, mapped(OpenOptions.Checksums.ON_FIRST_USE))) {
      for (int attempt = 0; attempt < 2; attempt++) {
        UncheckedIOException e =
            assertThrows(
                UncheckedIOException.class, () -> lazy.search(query, SearchRequest.defaults()));
        CorruptIndexException c = assertInstanceOf(CorruptIndexException.class, e.getCause());
        assertEquals(section, c.section());
        assertTrue(c.getMessage().contains(bad.toString()), c.getMessage());
      }
    }
  }

  @Test
  void damagedSliceRecordsFailTheFirstLookUp() throws IOException {
    Path f = saved(FeatureStorage.FLOAT32, 7);
    byte[] b = Files.readAllBytes(f);
    b[payloadOf(b, "slices") + 21 * 100 + 5] ^= 0x01;
    Path bad = dir.resolve("bad-slices.cbmir");
    Files.write(bad, b);
    try (RetrievalIndex lazy =
        RetrievalIndexes.open(bad, mapped(OpenOptions.Checksums.ON_FIRST_USE))) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> lazy.ref(3));
      assertEquals("slices", assertInstanceOf(CorruptIndexException.class, e.getCause()).section());
    }
  }

  @Test
  void aFileTruncatedUnderneathIsReportedNotACrash() throws IOException {
    Path f = saved(FeatureStorage.FLOAT32, 8);
    Random rnd = new Random(Robustness.SEED + 9);
    Embedding query =
        TestData.embedding(TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM));
    SearchRequest exhaustive = SearchRequest.builder().mode(SearchMode.EXHAUSTIVE_FC1).k(5).build();
    try (RetrievalIndex index = RetrievalIndexes.open(f, mapped(OpenOptions.Checksums.AT_OPEN))) {
      assertEquals(5, index.search(query, exhaustive).hits().size());
      // Another program cuts the file short in place (cbmir itself never does).
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        ch.truncate(4096);
      }
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> index.search(query, exhaustive));
      CorruptIndexException c = assertInstanceOf(CorruptIndexException.class, e.getCause());
      assertTrue(c.getMessage().contains("changed or shrank"), c.getMessage());
      assertThrows(UncheckedIOException.class, () -> index.ref(N - 1));
    }
  }

  @Test
  void optionsSayWhatIsMissingOrInconsistent() {
    IllegalStateException none =
        assertThrows(
            IllegalStateException.class, () -> OpenOptions.builder().memoryMapped().build());
    assertTrue(none.getMessage().contains("anyModel()"), none.getMessage());
    IllegalArgumentException lazyHeap =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                OpenOptions.builder()
                    .anyModel()
                    .checksums(OpenOptions.Checksums.ON_FIRST_USE)
                    .build());
    assertTrue(lazyHeap.getMessage().contains("AT_OPEN"), lazyHeap.getMessage());
    assertSame(
        OpenOptions.Checksums.ON_FIRST_USE,
        OpenOptions.builder().anyModel().memoryMapped().build().checksums());
    assertSame(OpenOptions.Checksums.AT_OPEN, OpenOptions.builder().anyModel().build().checksums());
  }

  @Test
  void float16RefusesValuesBeyondItsRangeAndKeepsTheIndexIntact() {
    try (RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(BITS)
                .featureDimension(DIM)
                .modelFingerprint(TestData.MODEL)
                .featureStorage(FeatureStorage.FLOAT16)
                .build())) {
      Random rnd = new Random(Robustness.SEED + 10);
      float[] big = TestData.features(rnd, DIM);
      big[7] = 70_000f;
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  index.add(
                      TestData.ref(0, 3),
                      TestData.embedding(TestData.randomCode(rnd, BITS), BITS, big)));
      assertTrue(
          e.getMessage().contains("70000") && e.getMessage().contains("FLOAT32"), e.getMessage());
      assertEquals(0, index.size());
      assertEquals(
          0,
          index.add(
              TestData.ref(0, 3),
              TestData.embedding(
                  TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM))));
      assertEquals(
          1,
          index
              .search(
                  TestData.embedding(
                      TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM)),
                  SearchRequest.defaults())
              .hits()
              .size());
    }
  }
}
