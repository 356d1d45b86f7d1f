package org.cbmir.api;

import java.util.Arrays;
import java.util.Optional;

/**
 * What the encoder makes of one slice: the FC1 feature vector (fine search), the binary hash code
 * from the latent layer H (coarse search) and the FC3 class probabilities.
 *
 * <p>Codes follow the packing contract of the design: bit {@code i} of the latent layer is bit
 * {@code i % 64} of word {@code i / 64}, and a bit is 1 when its sigmoid activation is {@code >=
 * 0.5}. Bits past {@link #bits()} in the last word are zero.
 *
 * <pre>{@code
 * Embedding e = Embedding.builder()
 *     .fc1(features)              // float[256]
 *     .latent(sigmoidActivations) // float[64] -> 64-bit code
 *     .classProbabilities(probs)  // float[8], optional
 *     .modelFingerprint(card.sha256())
 *     .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable (arrays are copied in and out), safe to share.
 */
public final class Embedding {
  /** Largest supported code length in bits. */
  public static final int MAX_BITS = 1024;

  private final float[] fc1;
  private final long[] code;
  private final int bits;
  private final float[] classProbabilities;
  private final String modelFingerprint;

  private Embedding(float[] fc1, long[] code, int bits, float[] probs, String fingerprint) {
    this.fc1 = fc1;
    this.code = code;
    this.bits = bits;
    this.classProbabilities = probs;
    this.modelFingerprint = fingerprint;
  }

  /** Number of {@code long} words that hold a code of {@code bits} bits. */
  public static int wordsFor(int bits) {
    return (bits + 63) >>> 6;
  }

  /** Length of the FC1 feature vector. */
  public int featureDimension() {
    return fc1.length;
  }

  /** A copy of the FC1 features. */
  public float[] fc1() {
    return fc1.clone();
  }

  /** Copies the FC1 features into {@code dst} at {@code offset}. */
  public void copyFc1Into(float[] dst, int offset) {
    System.arraycopy(fc1, 0, dst, offset, fc1.length);
  }

  /** Code length in bits. */
  public int bits() {
    return bits;
  }

  /** A copy of the packed code, {@link #wordsFor(int) wordsFor(bits())} words. */
  public long[] code() {
    return code.clone();
  }

  /** Copies the packed code into {@code dst} at {@code offset}. */
  public void copyCodeInto(long[] dst, int offset) {
    System.arraycopy(code, 0, dst, offset, code.length);
  }

  /** Hamming distance between this code and another of the same length. */
  public int hammingDistance(Embedding other) {
    if (other.bits != bits) {
      throw new IllegalArgumentException(
          "code lengths differ: " + bits + " bits vs " + other.bits + " bits");
    }
    int d = 0;
    for (int i = 0; i < code.length; i++) {
      d += Long.bitCount(code[i] ^ other.code[i]);
    }
    return d;
  }

  /** A copy of the FC3 class probabilities ({@link NoduleClass#COUNT} values), or empty. */
  public float[] classProbabilities() {
    return classProbabilities.clone();
  }

  /** The most probable class according to FC3, when probabilities are present. */
  public Optional<NoduleClass> predictedClass() {
    if (classProbabilities.length == 0) {
      return Optional.empty();
    }
    int best = 0;
    for (int i = 1; i < classProbabilities.length; i++) {
      if (classProbabilities[i] > classProbabilities[best]) {
        best = i;
      }
    }
    return Optional.of(NoduleClass.ofLabel(best));
  }

  /**
   * Fingerprint of the model that produced this embedding: for the ONNX models, the SHA-256 of the
   * model file, so that an index refuses embeddings of any other model.
   */
  public String modelFingerprint() {
    return modelFingerprint;
  }

  /** Code length, FC1 dimension and model: what an index must accept for this embedding. */
  public EmbeddingShape shape() {
    return new EmbeddingShape(bits, fc1.length, modelFingerprint);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Embedding e
        && bits == e.bits
        && Arrays.equals(fc1, e.fc1)
        && Arrays.equals(code, e.code)
        && Arrays.equals(classProbabilities, e.classProbabilities)
        && modelFingerprint.equals(e.modelFingerprint);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(code) + Arrays.hashCode(fc1);
  }

  @Override
  public String toString() {
    return "Embedding[fc1=" + fc1.length + "d, bits=" + bits + ", model=" + modelFingerprint + "]";
  }

  /** A builder; FC1, a code (packed or as latent activations) and a fingerprint are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link Embedding}. Not thread-safe. */
  public static final class Builder {
    private float[] fc1;
    private long[] code;
    private int bits;
    private float[] latent;
    private float[] classProbabilities = new float[0];
    private String modelFingerprint;

    private Builder() {}

    /** FC1 features; copied. */
    public Builder fc1(float[] fc1) {
      this.fc1 = fc1;
      return this;
    }

    /** An already packed code of {@code bits} bits; copied. Replaces {@link #latent}. */
    public Builder code(long[] words, int bits) {
      this.code = words;
      this.bits = bits;
      this.latent = null;
      return this;
    }

    /** Sigmoid activations of the latent layer, binarised at 0.5. Replaces {@link #code}. */
    public Builder latent(float[] activations) {
      this.latent = activations;
      this.code = null;
      return this;
    }

    /** FC3 class probabilities, {@link NoduleClass#COUNT} values (optional); copied. */
    public Builder classProbabilities(float[] probabilities) {
      this.classProbabilities = probabilities == null ? new float[0] : probabilities;
      return this;
    }

    /** Fingerprint of the producing model (required). */
    public Builder modelFingerprint(String fingerprint) {
      this.modelFingerprint = fingerprint;
      return this;
    }

    /**
     * Builds the embedding.
     *
     * @throws IllegalArgumentException on a missing part, a NaN or infinite feature, a code length
     *     outside 1..1024, a code whose word count does not match its length or that has bits set
     *     past its length, or a probability vector of the wrong length
     */
    public Embedding build() {
      if (fc1 == null || fc1.length == 0) {
        throw new IllegalArgumentException("fc1 features are required and must not be empty");
      }
      for (int i = 0; i < fc1.length; i++) {
        if (!Float.isFinite(fc1[i])) {
          throw new IllegalArgumentException("fc1[" + i + "] must be finite, got " + fc1[i]);
        }
      }
      long[] words;
      int nbits;
      if (latent != null) {
        nbits = latent.length;
        checkBits(nbits);
        words = new long[wordsFor(nbits)];
        for (int i = 0; i < nbits; i++) {
          float a = latent[i];
          if (Float.isNaN(a)) {
            throw new IllegalArgumentException("latent[" + i + "] is NaN");
          }
          if (a >= 0.5f) {
            words[i >>> 6] |= 1L << (i & 63);
          }
        }
      } else if (code != null) {
        nbits = bits;
        checkBits(nbits);
        if (code.length != wordsFor(nbits)) {
          throw new IllegalArgumentException(
              "a " + nbits + "-bit code needs " + wordsFor(nbits) + " words, got " + code.length);
        }
        words = code.clone();
        int tail = nbits & 63;
        if (tail != 0 && (words[words.length - 1] >>> tail) != 0) {
          throw new IllegalArgumentException(
              "code has bits set past its length of "
                  + nbits
                  + " bits (last word "
                  + Long.toHexString(words[words.length - 1])
                  + ")");
        }
      } else {
        throw new IllegalArgumentException(
            "a code is required: call code(words, bits) or latent()");
      }
      if (classProbabilities.length != 0 && classProbabilities.length != NoduleClass.COUNT) {
        throw new IllegalArgumentException(
            "expected "
                + NoduleClass.COUNT
                + " class probabilities (or none), got "
                + classProbabilities.length);
      }
      if (modelFingerprint == null || modelFingerprint.isBlank()) {
        throw new IllegalArgumentException("modelFingerprint is required");
      }
      return new Embedding(fc1.clone(), words, nbits, classProbabilities.clone(), modelFingerprint);
    }

    private static void checkBits(int nbits) {
      if (nbits < 1 || nbits > MAX_BITS) {
        throw new IllegalArgumentException(
            "code length must be in 1.." + MAX_BITS + " bits, got " + nbits);
      }
    }
  }
}
