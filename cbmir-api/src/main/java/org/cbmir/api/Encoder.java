package org.cbmir.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a masked CT slice into an {@link Embedding} (FC1 features, hash code, class
 * probabilities).
 *
 * <p>Thread-safety: implementations are thread-safe unless they say otherwise.
 */
public interface Encoder extends AutoCloseable {

  /** The embedding of one slice; pixels outside the mask are treated as outside the lung. */
  Embedding encode(CtSlice slice, LungMask mask);

  /** Embeddings of several slices; implementations batch the work where that is faster. */
  default List<Embedding> encodeAll(List<CtSlice> slices, List<LungMask> masks) {
    if (slices.size() != masks.size()) {
      throw new IllegalArgumentException(
          "expected one mask per slice, got "
              + slices.size()
              + " slices and "
              + masks.size()
              + " masks");
    }
    List<Embedding> out = new ArrayList<>(slices.size());
    for (int i = 0; i < slices.size(); i++) {
      out.add(encode(slices.get(i), masks.get(i)));
    }
    return out;
  }

  /** FC1 feature dimension. */
  int featureDimension();

  /** Hash code length in bits. */
  int bits();

  /** Fingerprint of the model, stored in indexes built with it. */
  String modelFingerprint();

  /** {@link #bits()}, {@link #featureDimension()} and {@link #modelFingerprint()} together. */
  default EmbeddingShape shape() {
    return new EmbeddingShape(bits(), featureDimension(), modelFingerprint());
  }

  /** Releases native resources; closing twice is harmless. */
  @Override
  default void close() {}
}
