package org.cbmir.api;

/**
 * Service-provider interface for the shipped models, found with {@link java.util.ServiceLoader}.
 * Applications use {@link Models} instead.
 *
 * <p>Thread-safety: implementations must be thread-safe.
 */
public interface ModelProvider {

  /** A short name for logs and error messages, e.g. "onnx". */
  String name();

  /** A new segmenter with the provider's default model; the caller closes it. */
  Segmenter segmenter();

  /** A new encoder with the provider's default model; the caller closes it. */
  Encoder encoder();
}
