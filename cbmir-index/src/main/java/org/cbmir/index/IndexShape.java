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
    if (e == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    if (e.bits() != bits) {
      throw new IllegalArgumentException(
          what + " has a " + e.bits() + "-bit code; this index holds " + bits + "-bit codes");
    }
    if (e.fc1Dimension() != dimension) {
      throw new IllegalArgumentException(
          what + " has " + e.fc1Dimension() + " FC1 features; this index holds " + dimension);
    }
    if (!e.modelFingerprint().equals(fingerprint)) {
      throw new IllegalArgumentException(
          what
              + " comes from model "
              + e.modelFingerprint()
              + "; this index was built with model "
              + fingerprint);
    }
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
