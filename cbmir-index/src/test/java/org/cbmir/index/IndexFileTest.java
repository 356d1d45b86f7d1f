package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.ModelMismatchException;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SliceRef;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SeedReporter.class)
class IndexFileTest {
  @TempDir Path dir;

  private RetrievalIndex build(int n, int bits, int dim, long seed) {
    Random rnd = new Random(seed);
    RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(bits)
                .featureDimension(dim)
                .modelFingerprint(TestData.MODEL)
                .build());
    for (int i = 0; i < n; i++) {
      SliceRef ref =
          i % 5 == 0
              ? SliceRef.builder()
                  .patientId("Ü-" + i % 3)
                  .seriesUid("s" + i % 4)
                  .sliceIndex(i)
                  .build()
              : TestData.ref(i, 4).toBuilder().noduleDiameterMm(i % 30).noduleClass(null).build();
      index.add(
          ref,
          TestData.embedding(TestData.randomCode(rnd, bits), bits, TestData.features(rnd, dim)));
    }
    return index;
  }

  @Test
  void roundTripKeepsEverything() throws IOException {
    // More rows than one feature page, and a code length that is not a multiple of 64.
    try (RetrievalIndex index = build(9000, 100, 7, 1)) {
      index.remove(17);
      index.remove(8999);
      Path f = dir.resolve("a.cbmir");
      index.save(f);
      try (RetrievalIndex loaded = RetrievalIndexes.open(f, TestData.MODEL)) {
        assertEquals(index.size(), loaded.size());
        assertEquals(index.ordinalCount(), loaded.ordinalCount());
        for (int i = 0; i < index.ordinalCount(); i += 37) {
          assertEquals(index.ref(i), loaded.ref(i), "ref " + i);
        }
        Random rnd = new Random(Robustness.SEED + 5);
        for (int q = 0; q < 5; q++) {
          var query =
              TestData.embedding(TestData.randomCode(rnd, 100), 100, TestData.features(rnd, 7));
          SearchRequest req = SearchRequest.builder().k(10).minPoolSize(200).build();
          assertArrayEquals(
              index.search(query, req).hits().stream().mapToInt(Hit::ordinal).toArray(),
              loaded.search(query, req).hits().stream().mapToInt(Hit::ordinal).toArray());
        }
        assertTrue(((HammingRetrievalIndex) loaded).isRemoved(17));
      }
    }
  }

  @Test
  void everyTruncationIsDetected() throws IOException {
    Path f = dir.resolve("t.cbmir");
    try (RetrievalIndex index = build(40, 64, 5, 2)) {
      index.save(f);
    }
    byte[] full = Files.readAllBytes(f);
    for (int len = 0; len < full.length; len += (len < 200 ? 1 : 7)) {
      Path cut = dir.resolve("cut.cbmir");
      Files.write(cut, java.util.Arrays.copyOf(full, len));
      CorruptIndexException e =
          assertThrows(
              CorruptIndexException.class,
              () -> RetrievalIndexes.open(cut, TestData.MODEL),
              "truncated to " + len);
      assertTrue(e.getMessage().contains("cut.cbmir"), e.getMessage());
    }
  }

  @Test
  void everyFlippedByteIsDetected() throws IOException {
    Path f = dir.resolve("f.cbmir");
    try (RetrievalIndex index = build(30, 64, 4, 3)) {
      index.save(f);
    }
    byte[] full = Files.readAllBytes(f);
    for (int i = 0; i < full.length; i++) {
      byte[] bad = full.clone();
      bad[i] ^= 0x10;
      Path p = dir.resolve("bad.cbmir");
      Files.write(p, bad);
      final int at = i;
      CorruptIndexException e =
          assertThrows(
              CorruptIndexException.class, () -> RetrievalIndexes.openAnyModel(p), "byte " + at);
      assertTrue(!e.section().isEmpty());
    }
  }

  @Test
  void checksumNamesTheSection() throws IOException {
    Path f = dir.resolve("s.cbmir");
    try (RetrievalIndex index = build(30, 64, 4, 3)) {
      index.save(f);
    }
    byte[] full = Files.readAllBytes(f);
    full[full.length - 40] ^= 1; // inside the last sections' payloads
    Files.write(f, full);
    CorruptIndexException e =
        assertThrows(CorruptIndexException.class, () -> RetrievalIndexes.open(f, TestData.MODEL));
    assertTrue(e.getMessage().contains("section '"), e.getMessage());
  }

  @Test
  void foreignFilesAndOtherModelsAreRefused() throws IOException {
    Path foreign = dir.resolve("notes.txt");
    Files.writeString(foreign, "hello, this is not an index at all");
    CorruptIndexException e =
        assertThrows(
            CorruptIndexException.class, () -> RetrievalIndexes.open(foreign, TestData.MODEL));
    assertEquals("header", e.section());
    assertTrue(e.getMessage().contains("not a cbmir index"), e.getMessage());

    Path f = dir.resolve("m.cbmir");
    try (RetrievalIndex index = build(10, 64, 4, 4)) {
      index.save(f);
    }
    ModelMismatchException m =
        assertThrows(ModelMismatchException.class, () -> RetrievalIndexes.open(f, "another-model"));
    assertTrue(m.getMessage().contains("another-model") && m.getMessage().contains(TestData.MODEL));
    assertThrows(
        java.nio.file.NoSuchFileException.class,
        () -> RetrievalIndexes.open(dir.resolve("missing.cbmir"), TestData.MODEL));
  }

  @Test
  void failedSaveLeavesThePreviousFileIntact() throws IOException {
    Path f = dir.resolve("keep.cbmir");
    try (RetrievalIndex index = build(20, 64, 4, 5)) {
      index.save(f);
    }
    byte[] before = Files.readAllBytes(f);
    // A folder in the way of the rename makes the save fail after the data was written.
    Path blocker = dir.resolve("blocked.cbmir");
    Files.createDirectory(blocker);
    Files.writeString(blocker.resolve("x"), "x");
    try (RetrievalIndex index = build(25, 64, 4, 6)) {
      assertThrows(IOException.class, () -> index.save(blocker));
      assertThrows(IOException.class, () -> index.save(dir.resolve("no-such-dir/x.cbmir")));
    }
    assertArrayEquals(before, Files.readAllBytes(f));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          0,
          files.filter(p -> p.getFileName().toString().contains("tmp")).count(),
          "no temporary file is left behind");
    }
    try (RetrievalIndex loaded = RetrievalIndexes.open(f, TestData.MODEL)) {
      assertEquals(20, loaded.size());
    }
  }

  @Test
  void saveNeverReplacesALinkOrASpecialFile() throws IOException {
    Path real = dir.resolve("real.cbmir");
    Files.writeString(real, "precious");
    Path link = dir.resolve("link.cbmir");
    Files.createSymbolicLink(link, real);
    Path folder = Files.createDirectory(dir.resolve("folder.cbmir"));
    try (RetrievalIndex index = build(10, 64, 4, 8)) {
      for (Path target : new Path[] {link, folder}) {
        IOException e = assertThrows(IOException.class, () -> index.save(target));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
      }
      assertTrue(Files.isSymbolicLink(link), "the link is still a link");
      assertEquals("precious", Files.readString(real), "and what it points to is untouched");
      assertThrows(IllegalArgumentException.class, () -> index.save(null));
    }
  }

  @Test
  void temporaryFilesOfKilledSavesAreSweptBySaveAndOpen() throws IOException {
    Path f = dir.resolve("swept.cbmir");
    // What a save killed half-way leaves: the fixed temporary name, and a 0.1-style random one.
    Path fixed = IndexFile.tempFor(f.toAbsolutePath());
    Files.write(fixed, new byte[1000]);
    Path legacy = dir.resolve("swept.cbmir.tmp-1f2e3d");
    Files.write(legacy, new byte[1000]);
    Path unrelated = dir.resolve("other.cbmir.tmp-1f2e3d");
    Files.write(unrelated, new byte[10]);
    try (RetrievalIndex index = build(10, 64, 4, 9)) {
      index.save(f);
    }
    assertTrue(Files.notExists(fixed) && Files.notExists(legacy), "swept by the save");
    assertTrue(Files.exists(unrelated), "another index's files are left alone");
    // Open removes a temporary file once it is a minute old, not a fresh one (a running save).
    Files.write(fixed, new byte[1000]);
    try (RetrievalIndex loaded = RetrievalIndexes.open(f, TestData.MODEL)) {
      assertEquals(10, loaded.size());
    }
    assertTrue(Files.exists(fixed), "a fresh temporary file may belong to a running save");
    Files.setLastModifiedTime(
        fixed, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000));
    RetrievalIndexes.open(f, TestData.MODEL).close();
    assertTrue(Files.notExists(fixed), "a stale one is swept by open");
  }

  @Test
  void hugeCallerNumbersAreClampedNotAllocated() {
    try (RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(64)
                .featureDimension(4)
                .modelFingerprint(TestData.MODEL)
                .expectedSlices(Integer.MAX_VALUE)
                .build())) {
      Random rnd = new Random(Robustness.SEED + 3);
      for (int i = 0; i < 50; i++) {
        index.add(
            TestData.ref(i, 3),
            TestData.embedding(TestData.randomCode(rnd, 64), 64, TestData.features(rnd, 4)));
      }
      var q = TestData.embedding(TestData.randomCode(rnd, 64), 64, TestData.features(rnd, 4));
      for (var mode : org.cbmir.api.SearchMode.values()) {
        assertEquals(
            50,
            index
                .search(q, SearchRequest.builder().k(Integer.MAX_VALUE).mode(mode).build())
                .hits()
                .size(),
            mode.toString());
      }
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> index.search(null, SearchRequest.defaults()))
              .getMessage()
              .contains("query"));
      assertTrue(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> index.searchBatch(null, SearchRequest.defaults()))
              .getMessage()
              .contains("queries"));
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IndexConfig.builder()
                    .bits(64)
                    .featureDimension(2_100_000)
                    .modelFingerprint("m")
                    .build());
    assertTrue(e.getMessage().contains("1..65536"), e.getMessage());
  }

  @Test
  void saveWhileAddingWritesOneConsistentState() throws Exception {
    Path f = dir.resolve("busy.cbmir");
    Random rnd = new Random(Robustness.SEED + 12);
    int bits = 64;
    int dim = 32;
    java.util.List<long[]> codes =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    try (RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(bits)
                .featureDimension(dim)
                .modelFingerprint(TestData.MODEL)
                .build())) {
      for (int i = 0; i < 20_000; i++) {
        long[] c = TestData.randomCode(rnd, bits);
        codes.add(c);
        index.add(TestData.ref(i, 7), TestData.embedding(c, bits, TestData.features(rnd, dim)));
      }
      Thread adder =
          new Thread(
              () -> {
                Random r = new Random(Robustness.SEED + 13);
                for (int i = 20_000; i < 60_000; i++) {
                  long[] c = TestData.randomCode(r, bits);
                  codes.add(c);
                  index.add(
                      TestData.ref(i, 7), TestData.embedding(c, bits, TestData.features(r, dim)));
                }
              });
      adder.start();
      index.save(f);
      adder.join();
      assertEquals(60_000, index.size());
    }
    try (RetrievalIndex loaded = RetrievalIndexes.open(f, TestData.MODEL)) {
      int n = loaded.size();
      assertTrue(n >= 20_000 && n <= 60_000, n + " slices saved");
      // Every saved slice is the one that was added under its ordinal.
      for (int i = 0; i < n; i += 997) {
        var hit =
            loaded
                .search(
                    TestData.embedding(codes.get(i), bits, new float[dim]),
                    SearchRequest.builder().k(1).mode(org.cbmir.api.SearchMode.HAMMING).build())
                .hits()
                .get(0);
        assertEquals(0, hit.hammingDistance(), "ordinal " + i);
        assertEquals(TestData.ref(hit.ordinal(), 7), hit.ref());
      }
    }
  }
}
