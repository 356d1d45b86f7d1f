package org.cbmir.opensearch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.junit.jupiter.api.Test;

/** Targets, locations and provider selection: no node needed. */
class OpenSearchTargetTest {

  @Test
  void locationsParseIntoEndpointAndIndexName() {
    OpenSearchTarget t = OpenSearchTarget.of(URI.create("opensearch://10.0.0.5:9201/lung-archive"));
    assertEquals(URI.create("http://10.0.0.5:9201"), t.endpoint());
    assertEquals("lung-archive", t.indexName());
    OpenSearchTarget s = OpenSearchTarget.of(URI.create("opensearch+https://search.local/ct"));
    assertEquals(URI.create("https://search.local:9200"), s.endpoint());
    assertEquals(URI.create("opensearch+https://search.local:9200/ct"), s.location());
    assertEquals(500, t.bulkBatchSize());
    assertEquals(1, t.replicas());
  }

  @Test
  void badLocationsAndValuesAreNamed() {
    for (String bad :
        new String[] {
          "http://host:9200/x", "opensearch://host:9200/", "opensearch://host:9200/a/b", "file:/x"
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> OpenSearchTarget.of(URI.create(bad)));
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
    OpenSearchTarget.Builder b =
        OpenSearchTarget.builder().endpoint(URI.create("http://127.0.0.1:9200"));
    for (String name : new String[] {"Upper", "a b", "_x", "a/b", "", ".."}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> b.indexName(name).build());
      assertTrue(e.getMessage().contains("indexName"), e.getMessage());
    }
    b.indexName("ok");
    assertThrows(IllegalArgumentException.class, () -> b.bulkBatchSize(0).build());
    assertThrows(IllegalArgumentException.class, () -> b.bulkBatchSize(10).shards(0).build());
    assertThrows(
        IllegalArgumentException.class, () -> b.shards(1).requestTimeout(Duration.ZERO).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> OpenSearchTarget.builder().endpoint(URI.create("ftp://h:1")).indexName("ok").build());
  }

  @Test
  void theApiPicksTheProviderByScheme() {
    IndexConfig config =
        IndexConfig.builder().bits(64).featureDimension(4).modelFingerprint("m").build();
    // Without a location, the in-process index, although the opensearch provider is present.
    try (RetrievalIndex local = RetrievalIndexes.create(config)) {
      assertTrue(
          local.getClass().getName().startsWith("org.cbmir.index."), local.getClass().getName());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RetrievalIndexes.create(URI.create("solr://h/x"), config));
    assertTrue(e.getMessage().contains("[opensearch, opensearch+https]"), e.getMessage());
    assertThrows(
        UnsupportedOperationException.class, () -> new OpenSearchIndexProvider().create(config));
  }

  @Test
  void codesPackIntoSignedBytesBitByBit() {
    long[] code = {0x80L | (1L << 63), 0b101L};
    int[] bytes = Documents.codeBytes(code, 72);
    assertEquals(9, bytes.length);
    assertEquals(-128, bytes[0]);
    assertEquals(-128, bytes[7]);
    assertEquals(5, bytes[8]);
    assertArrayEquals(new int[] {1}, Documents.codeBytes(new long[] {1}, 3));
  }
}
