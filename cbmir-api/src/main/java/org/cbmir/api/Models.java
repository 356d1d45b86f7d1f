package org.cbmir.api;

import java.util.ServiceLoader;

/**
 * Creates the default {@link Segmenter} and {@link Encoder} through the {@link ModelProvider} on
 * the class path (module {@code cbmir-onnx}).
 *
 * <pre>{@code
 * try (Segmenter segmenter = Models.segmenter(); Encoder encoder = Models.encoder()) {
 *   Embedding e = encoder.encode(slice, segmenter.segment(slice));
 * }
 * }</pre>
 *
 * <p>Thread-safety: all methods are thread-safe.
 */
public final class Models {
  private Models() {}

  /** A new segmenter with the shipped model. */
  public static Segmenter segmenter() {
    return provider().segmenter();
  }

  /** A new encoder with the shipped model. */
  public static Encoder encoder() {
    return provider().encoder();
  }

  static ModelProvider provider() {
    return ServiceLoader.load(ModelProvider.class)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no "
                        + ModelProvider.class.getName()
                        + " on the class path: add the dependency org.cbmir:cbmir-onnx"));
  }
}
