package org.cbmir.opensearch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.cbmir.api.Embedding;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.ModelMismatchException;
import org.cbmir.api.OpenOptions;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and failures against a real node: each gives a clear exception naming the value and
 * what was expected, and loses nothing.
 */
@ExtendWith({OpenSearchNode.class, SeedReporter.class})
class OpenSearchBadInputIT {
  private static final String MODEL = "bad-input-model";
  private static final IndexConfig CONFIG =
      IndexConfig.builder().bits(64).featureDimension(8).modelFingerprint(MODEL).build();

  @TempDir Path dir;

  @AfterEach
  void deleteIndexes() {
    for (String name : List.of("bad-a", "bad-b", "not-ours", "mismatched")) {
      OpenSearchIndexes.delete(OpenSearchNode.target(name));
    }
  }

  private static Embedding embedding(Random rnd) {
    float[] f = new float[8];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) rnd.nextGaussian();
    }
    return Embedding.builder()
        .code(new long[] {rnd.nextLong()}, 64)
        .fc1(f)
        .modelFingerprint(MODEL)
        .build();
  }

  private static SliceRef ref(int i) {
    return SliceRef.builder()
        .patientId("P" + (i % 3))
        .seriesUid("S" + (i % 3))
        .sliceIndex(i)
        .build();
  }

  @Test
  void locationUrisReachTheProviderThroughTheApi() throws IOException {
    URI location = OpenSearchNode.target("bad-a").location();
    Random rnd = new Random(Robustness.SEED + 1);
    try (RetrievalIndex index = RetrievalIndexes.create(location, CONFIG)) {
      assertTrue(index instanceof OpenSearchRetrievalIndex, index.getClass().getName());
      for (int i = 0; i < 5; i++) {
        index.add(ref(i), embedding(rnd));
      }
    }
    IllegalArgumentException taken =
        assertThrows(
            IllegalArgumentException.class, () -> RetrievalIndexes.create(location, CONFIG));
    assertTrue(taken.getMessage().contains("already exists"), taken.getMessage());
    try (RetrievalIndex index =
        RetrievalIndexes.open(location, OpenOptions.builder().modelFingerprint(MODEL).build())) {
      assertEquals(5, index.size());
      assertEquals(5, index.ordinalCount());
      assertEquals(5, index.add(ref(5), embedding(rnd)), "ordinals continue after reopening");
    }
  }

  @Test
  void unreachableNodeIsNamedWithTheOperation() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    OpenSearchTarget nowhere =
        OpenSearchTarget.builder()
            .endpoint(URI.create("http://127.0.0.1:" + closedPort))
            .indexName("bad-a")
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    OpenSearchException e =
        assertThrows(OpenSearchException.class, () -> OpenSearchIndexes.create(nowhere, CONFIG));
    assertEquals(-1, e.status());
    assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());
    assertTrue(e.getMessage().contains("create index"), e.getMessage());
    assertThrows(OpenSearchException.class, () -> OpenSearchIndexes.open(nowhere, MODEL));
  }

  @Test
  void aMissingIndexIsNamed() {
    NoSuchFileException e =
        assertThrows(
            NoSuchFileException.class,
            () -> OpenSearchIndexes.open(OpenSearchNode.target("bad-b"), MODEL));
    assertTrue(e.getMessage().contains("'bad-b'"), e.getMessage());
  }

  @Test
  void anIndexOfAnotherModelIsRefused() {
    OpenSearchIndexes.create(OpenSearchNode.target("bad-a"), CONFIG).close();
    ModelMismatchException e =
        assertThrows(
            ModelMismatchException.class,
            () -> OpenSearchIndexes.open(OpenSearchNode.target("bad-a"), "other-model"));
    assertTrue(e.getMessage().contains("other-model"), e.getMessage());
    assertTrue(e.getMessage().contains(MODEL), e.getMessage());
  }

  @Test
  void aMappingThatIsNotOursIsRefused() throws Exception {
    put("/not-ours", "{\"mappings\":{\"properties\":{\"title\":{\"type\":\"text\"}}}}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OpenSearchIndexes.open(OpenSearchNode.target("not-ours"), MODEL));
    assertTrue(e.getMessage().contains("not made by cbmir"), e.getMessage());
    assertTrue(e.getMessage().contains("title"), e.getMessage());
  }

  @Test
  void aMappingWhoseDimensionsDisagreeWithItsMetadataIsRefused() throws Exception {
    put(
        "/mismatched",
        "{\"settings\":{\"index\":{\"knn\":false}},\"mappings\":{\"_meta\":{\"cbmir\":{\"format\":1,"
            + "\"modelFingerprint\":\""
            + MODEL
            + "\",\"bits\":128,\"featureDimension\":8}},\"properties\":{\"code\":{\"type\":"
            + "\"knn_vector\",\"dimension\":64,\"data_type\":\"binary\"},\"fc1\":{\"type\":"
            + "\"knn_vector\",\"dimension\":8}}}}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> OpenSearchIndexes.open(OpenSearchNode.target("mismatched"), MODEL));
    assertTrue(e.getMessage().contains("128 bits"), e.getMessage());
    assertTrue(e.getMessage().contains("dimension 128"), e.getMessage());
  }

  @Test
  void shapeAndStorageMismatchesAreRefusedBeforeAnythingIsSent() {
    IllegalArgumentException storage =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                OpenSearchIndexes.create(
                    OpenSearchNode.target("bad-a"),
                    IndexConfig.builder()
                        .bits(64)
                        .featureDimension(8)
                        .modelFingerprint(MODEL)
                        .featureStorage(FeatureStorage.INT8)
                        .build()));
    assertTrue(storage.getMessage().contains("INT8"), storage.getMessage());
    assertFalse(OpenSearchIndexes.exists(OpenSearchNode.target("bad-a")));
    assertThrows(
        UnsupportedOperationException.class,
        () ->
            OpenSearchIndexes.open(
                OpenSearchNode.target("bad-a"),
                OpenOptions.builder().modelFingerprint(MODEL).memoryMapped().build()));
  }

  @Test
  void aSecondWriterCollidingOnOrdinalsIsToldWhichWereNotAdded() throws IOException {
    Random rnd = new Random(Robustness.SEED + 2);
    OpenSearchTarget target = OpenSearchNode.target("bad-a");
    try (OpenSearchRetrievalIndex first = OpenSearchIndexes.create(target, CONFIG);
        OpenSearchRetrievalIndex second = OpenSearchIndexes.open(target, MODEL)) {
      for (int i = 0; i < 4; i++) {
        first.add(ref(i), embedding(rnd));
      }
      first.flush();
      // `second` opened while the index was empty, so it hands out 0, 1, ... again: the node
      // refuses those (create never overwrites) and the batch's new ordinals still land.
      for (int i = 0; i < 6; i++) {
        second.add(ref(100 + i), embedding(rnd));
      }
      BulkWriteException e = assertThrows(BulkWriteException.class, second::flush);
      assertArrayEquals(new int[] {0, 1, 2, 3}, e.notAdded());
      assertEquals(4, e.reasons().size());
      assertTrue(e.getMessage().contains("ordinals [0, 1, 2, 3]"), e.getMessage());
      assertEquals(6, second.size(), "the first writer's four and the second's ordinals 4 and 5");
      assertEquals(ref(0), first.ref(0), "the first writer's slice is intact");
      IllegalArgumentException notAdded =
          assertThrows(IllegalArgumentException.class, () -> second.remove(1));
      assertTrue(notAdded.getMessage().contains("was not added"), notAdded.getMessage());
    }
  }

  @Test
  void aNodeThatDoesNotAnswerTimesOutNamingTheOperation() throws IOException {
    // A socket that is listening but never accepts: connections succeed (the kernel's backlog)
    // and no answer ever comes.
    try (ServerSocket silent = new ServerSocket(0)) {
      OpenSearchTarget target =
          OpenSearchTarget.builder()
              .endpoint(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
              .indexName("bad-a")
              .requestTimeout(Duration.ofMillis(300))
              .build();
      long t0 = System.nanoTime();
      OpenSearchException e =
          assertThrows(OpenSearchException.class, () -> OpenSearchIndexes.open(target, MODEL));
      assertEquals(-1, e.status());
      assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
      assertTrue(e.getMessage().contains("open index"), e.getMessage());
      assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "the timeout applied");
    }
  }

  @Test
  void saveWritesAManifestThatReopensTheIndexThroughAnyEndpoint() throws IOException {
    Random rnd = new Random(Robustness.SEED + 4);
    OpenSearchTarget target = OpenSearchNode.target("bad-a");
    Path manifest = dir.resolve("archive.cbmir-opensearch");
    Embedding q = embedding(rnd);
    SearchResult before;
    try (RetrievalIndex index = OpenSearchIndexes.create(target, CONFIG)) {
      index.add(ref(0), q);
      for (int i = 1; i < 30; i++) {
        index.add(ref(i), embedding(rnd));
      }
      index.remove(7);
      index.save(manifest);
      before = index.search(q, SearchRequest.defaults());
    }
    String text = Files.readString(manifest);
    assertTrue(text.contains("indexName=bad-a"), text);
    assertFalse(text.contains("127.0.0.1"), "no endpoint in the manifest: " + text);
    try (RetrievalIndex index =
        OpenSearchIndexes.open(
            manifest,
            OpenSearchNode.endpoint(),
            OpenOptions.builder().modelFingerprint(MODEL).build())) {
      assertEquals(29, index.size());
      assertTrue(index.isRemoved(7), "removals survive reopening");
      assertEquals(before.hits(), index.search(q, SearchRequest.defaults()).hits());
    }
    assertThrows(
        ModelMismatchException.class,
        () ->
            OpenSearchIndexes.open(
                manifest,
                OpenSearchNode.endpoint(),
                OpenOptions.builder().modelFingerprint("other").build()));
  }

  private static void put(String path, String json) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(OpenSearchNode.endpoint().resolve(path))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }
}
