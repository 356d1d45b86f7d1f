package org.cbmir.api;

/**
 * What an {@link Encoder} produces and a {@link RetrievalIndex} accepts: the hash code length, the
 * FC1 feature dimension and the model. Two sides fit when their shapes are equal.
 *
 * <pre>{@code
 * if (!index.shape().equals(encoder.shape())) {
 *   throw new IllegalStateException("re-index: " + index.shape() + " vs " + encoder.shape());
 * }
 * index.shape().check(embedding, "embedding");   // the index's own check, with its message
 * }</pre>
 *
 * <p>Thread-safety: immutable, safe to share.
 *
 * @param bits hash code length, 1 to {@link Embedding#MAX_BITS}
 * @param featureDimension FC1 feature dimension, {@code >= 1}
 * @param modelFingerprint the model's fingerprint (for the shipped models, the SHA-256 of the model
 *     file)
 */
public record EmbeddingShape(int bits, int featureDimension, String modelFingerprint) {

  /** Checks the fields. */
  public EmbeddingShape {
    if (bits < 1 || bits > Embedding.MAX_BITS) {
      throw new IllegalArgumentException(
          "bits must be in 1.." + Embedding.MAX_BITS + ", got " + bits);
    }
    if (featureDimension < 1) {
      throw new IllegalArgumentException("featureDimension must be >= 1, got " + featureDimension);
    }
    if (modelFingerprint == null || modelFingerprint.isBlank()) {
      throw new IllegalArgumentException("modelFingerprint is required");
    }
  }

  /**
   * Checks that an embedding has this shape, with one message whatever the index implementation.
   *
   * @param what the embedding's role in the message ("embedding", "query")
   * @throws IllegalArgumentException if it is null or its code length, FC1 dimension or model
   *     differ
   */
  public void check(Embedding e, String what) {
    if (e == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    if (e.bits() != bits) {
      throw new IllegalArgumentException(
          what + " has a " + e.bits() + "-bit code; this index holds " + bits + "-bit codes");
    }
    if (e.featureDimension() != featureDimension) {
      throw new IllegalArgumentException(
          what
              + " has "
              + e.featureDimension()
              + " FC1 features; this index holds "
              + featureDimension);
    }
    if (!e.modelFingerprint().equals(modelFingerprint)) {
      throw new IllegalArgumentException(
          what
              + " comes from model "
              + e.modelFingerprint()
              + "; this index was built with model "
              + modelFingerprint);
    }
  }

  @Override
  public String toString() {
    return bits + "-bit codes, " + featureDimension + " FC1 features, model " + modelFingerprint;
  }
}
