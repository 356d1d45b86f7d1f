package org.cbmir.index;

import org.cbmir.api.Embedding;
import org.cbmir.api.EmbeddingShape;
import org.cbmir.api.IndexConfig;

/**
 * What every embedding of one index shares ({@link EmbeddingShape}: code length, FC1 dimension and
 * model fingerprint) with the code's length in words, and the checks that an embedding or a packed
 * query code fits them, with messages that name both sides.
 *
 * <p>Thread-safety: immutable.
 */
record IndexShape(EmbeddingShape embedding, int words) {
  static IndexShape of(IndexConfig config) {
    return new IndexShape(config.shape(), Embedding.wordsFor(config.bits()));
  }

  int bits() {
    return embedding.bits();
  }

  int dimension() {
    return embedding.featureDimension();
  }

  String fingerprint() {
    return embedding.modelFingerprint();
  }

  void check(Embedding e, String what) {
    embedding.check(e, what);
  }

  void checkCode(long[] query) {
    if (query == null || query.length != words) {
      throw new IllegalArgumentException(
          "query code must have "
              + words
              + " words for "
              + bits()
              + " bits, got "
              + (query == null ? "null" : query.length));
    }
  }
}
