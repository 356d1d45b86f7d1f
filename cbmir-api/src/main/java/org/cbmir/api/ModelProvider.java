package org.cbmir.api;

import java.io.IOException;

/**
 * Service-provider interface for the shipped models, found with {@link java.util.ServiceLoader}.
 * Applications use {@link Models} instead.
 *
 * <p>Thread-safety: implementations must be thread-safe.
 */
public interface ModelProvider {

  /** A short name for logs and error messages, e.g. "onnx". */
  String name();

  /**
   * A new segmenter with the provider's default model; the caller closes it.
   *
   * @throws IOException if the model cannot be loaded (an {@link UnreadableInputException} says
   *     why)
   */
  Segmenter segmenter() throws IOException;

  /**
   * A new encoder with the provider's default model; the caller closes it.
   *
   * @throws IOException if the model cannot be loaded (an {@link UnreadableInputException} says
   *     why)
   */
  Encoder encoder() throws IOException;
}
