package org.cbmir.api;

import java.util.Arrays;

/**
 * The shape of a new {@link RetrievalIndex}: code length, feature dimension and the model whose
 * embeddings it accepts.
 *
 * <pre>{@code
 * IndexConfig config = IndexConfig.builder()
 *     .bits(64)
 *     .featureDimension(256)
 *     .modelFingerprint(encoder.modelFingerprint())
 *     .expectedSlices(1_000_000)
 *     .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable, safe to share.
 *
 * @param bits hash code length, 1 to {@link Embedding#MAX_BITS}
 * @param featureDimension FC1 dimension, {@code 1..}{@value #MAX_FEATURE_DIMENSION}
 * @param modelFingerprint the model whose embeddings the index accepts
 * @param expectedSlices capacity hint so that adding does not regrow the arrays, {@code >= 0}
 * @param featureStorage how the FC1 features are kept (default {@link FeatureStorage#FLOAT32})
 */
public record IndexConfig(
    int bits,
    int featureDimension,
    String modelFingerprint,
    int expectedSlices,
    FeatureStorage featureStorage) {
  /** The largest FC1 dimension an index takes (a row must stay far below 2 GB of pages). */
  public static final int MAX_FEATURE_DIMENSION = 65536;

  /** Checks the fields; prefer {@link #builder()}. */
  public IndexConfig {
    if (bits < 1 || bits > Embedding.MAX_BITS) {
      throw new IllegalArgumentException(
          "bits must be in 1.." + Embedding.MAX_BITS + ", got " + bits);
    }
    if (featureDimension < 1 || featureDimension > MAX_FEATURE_DIMENSION) {
      throw new IllegalArgumentException(
          "featureDimension must be in 1.." + MAX_FEATURE_DIMENSION + ", got " + featureDimension);
    }
    if (modelFingerprint == null || modelFingerprint.isBlank()) {
      throw new IllegalArgumentException("modelFingerprint is required");
    }
    if (expectedSlices < 0) {
      throw new IllegalArgumentException("expectedSlices must be >= 0, got " + expectedSlices);
    }
    if (featureStorage == null) {
      throw new IllegalArgumentException(
          "featureStorage is required; valid choices: " + Arrays.toString(FeatureStorage.values()));
    }
  }

  /** Code length, FC1 dimension and model of the embeddings the index accepts. */
  public EmbeddingShape shape() {
    return new EmbeddingShape(bits, featureDimension, modelFingerprint);
  }

  /** A builder; bits, feature dimension and fingerprint are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link IndexConfig}. Not thread-safe. */
  public static final class Builder {
    private int bits;
    private int featureDimension;
    private String modelFingerprint;
    private int expectedSlices = 1024;
    private FeatureStorage featureStorage = FeatureStorage.FLOAT32;

    private Builder() {}

    /**
     * How the FC1 features are kept (default {@link FeatureStorage#FLOAT32}); {@link
     * FeatureStorage#INT8} needs about a quarter of the memory.
     */
    public Builder featureStorage(FeatureStorage storage) {
      this.featureStorage = storage;
      return this;
    }

    /** Hash code length in bits (required). */
    public Builder bits(int bits) {
      this.bits = bits;
      return this;
    }

    /** FC1 feature dimension (required). */
    public Builder featureDimension(int dimension) {
      this.featureDimension = dimension;
      return this;
    }

    /** Fingerprint of the model whose embeddings are accepted (required). */
    public Builder modelFingerprint(String fingerprint) {
      this.modelFingerprint = fingerprint;
      return this;
    }

    /** Pre-sizes the arrays for this many slices (default 1024). */
    public Builder expectedSlices(int n) {
      this.expectedSlices = n;
      return this;
    }

    /** Same shape as an encoder's output: bits, dimension and fingerprint. */
    public Builder matching(Encoder encoder) {
      return shape(encoder.shape());
    }

    /** Code length, FC1 dimension and model at once. */
    public Builder shape(EmbeddingShape shape) {
      return bits(shape.bits())
          .featureDimension(shape.featureDimension())
          .modelFingerprint(shape.modelFingerprint());
    }

    /**
     * Builds the configuration.
     *
     * @throws IllegalArgumentException if a value is missing or out of range
     */
    public IndexConfig build() {
      return new IndexConfig(
          bits, featureDimension, modelFingerprint, expectedSlices, featureStorage);
    }
  }
}
