package org.cbmir.onnx;

import java.io.IOException;
import org.cbmir.api.Encoder;
import org.cbmir.api.ModelProvider;
import org.cbmir.api.Segmenter;

/**
 * Registers the shipped ONNX models with {@link org.cbmir.api.Models} through {@link
 * java.util.ServiceLoader}: both on {@link ExecutionProvider#AUTO}.
 *
 * <p>Thread-safety: stateless and thread-safe.
 */
public final class OnnxModelProvider implements ModelProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public OnnxModelProvider() {}

  @Override
  public String name() {
    return "onnx";
  }

  @Override
  public Segmenter segmenter() throws IOException {
    return OnnxSegmenter.builder().build();
  }

  @Override
  public Encoder encoder() throws IOException {
    return OnnxEncoder.builder().build();
  }
}
