package org.cbmir.api;

import java.io.IOException;

/**
 * Creates the default {@link Segmenter} and {@link Encoder} through the {@link ModelProvider} on
 * the class path (module {@code cbmir-onnx}); where there are several, the system property {@value
 * #PROVIDER_PROPERTY} picks one by name.
 *
 * <pre>{@code
 * try (Segmenter segmenter = Models.segmenter(); Encoder encoder = Models.encoder()) {
 *   Embedding e = encoder.encode(slice, segmenter.segment(slice));
 * }
 * }</pre>
 *
 * <p>Loading a model that cannot be used throws a checked {@link java.io.IOException} (an {@link
 * UnreadableInputException} naming the model and the reason), as opening an index or reading CT
 * does.
 *
 * <p>Thread-safety: all methods are thread-safe.
 */
public final class Models {
  private Models() {}

  /**
   * A new segmenter with the shipped model.
   *
   * @throws IOException if the model cannot be loaded
   */
  public static Segmenter segmenter() throws IOException {
    return provider().segmenter();
  }

  /**
   * A new encoder with the shipped model.
   *
   * @throws IOException if the model cannot be loaded
   */
  public static Encoder encoder() throws IOException {
    return provider().encoder();
  }

  /** System property that picks the model provider by its {@link ModelProvider#name()}. */
  public static final String PROVIDER_PROPERTY = "cbmir.models.provider";

  /** The provider {@value #PROVIDER_PROPERTY} names, else the first on the class path. */
  static ModelProvider provider() {
    return Providers.select(
        ModelProvider.class, ModelProvider::name, PROVIDER_PROPERTY, "org.cbmir:cbmir-onnx");
  }
}
