package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The index provider chosen by name through a system property, with the valid names on error. */
class ProviderSelectionTest {
  private final IndexConfig config =
      IndexConfig.builder().bits(64).featureDimension(8).modelFingerprint(TestData.MODEL).build();

  @AfterEach
  void clear() {
    System.clearProperty(RetrievalIndexes.PROVIDER_PROPERTY);
  }

  @Test
  void theNamedProviderIsUsedAndAnUnknownNameListsTheValidOnes() {
    System.setProperty(RetrievalIndexes.PROVIDER_PROPERTY, "Hamming");
    try (RetrievalIndex index = RetrievalIndexes.create(config)) {
      assertEquals(HammingRetrievalIndex.class, index.getClass());
    }
    System.setProperty(RetrievalIndexes.PROVIDER_PROPERTY, "opensearch");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> RetrievalIndexes.create(config));
    assertTrue(
        e.getMessage().contains("opensearch") && e.getMessage().contains("[hamming]"),
        e.getMessage());
  }
}
