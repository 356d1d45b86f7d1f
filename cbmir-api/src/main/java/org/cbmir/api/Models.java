package org.cbmir.api;

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

  /** System property that picks the model provider by its {@link ModelProvider#name()}. */
  public static final String PROVIDER_PROPERTY = "cbmir.models.provider";

  /** The provider {@value #PROVIDER_PROPERTY} names, else the first on the class path. */
  static ModelProvider provider() {
    return Providers.select(
        ModelProvider.class, ModelProvider::name, PROVIDER_PROPERTY, "org.cbmir:cbmir-onnx");
  }
}
