package org.cbmir.index;

import org.cbmir.api.Embedding;
import org.cbmir.api.IndexConfig;

/**
 * What every embedding of one index shares: code length, FC1 dimension and model fingerprint, and
 * the checks that an embedding or a packed query code fits them, with messages that name both
 * sides.
 *
 * <p>Thread-safety: immutable.
 */
record IndexShape(int bits, int words, int dimension, String fingerprint) {
  static IndexShape of(IndexConfig config) {
    return new IndexShape(
        config.bits(),
        Embedding.wordsFor(config.bits()),
        config.featureDimension(),
        config.modelFingerprint());
  }

  void check(Embedding e, String what) {
    Embedding.requireShape(e, what, bits, dimension, fingerprint);
  }

  void checkCode(long[] query) {
    if (query == null || query.length != words) {
      throw new IllegalArgumentException(
          "query code must have "
              + words
              + " words for "
              + bits
              + " bits, got "
              + (query == null ? "null" : query.length));
    }
  }
}
