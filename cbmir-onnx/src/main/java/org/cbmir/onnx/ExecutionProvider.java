package org.cbmir.onnx;

/**
 * Where ONNX Runtime runs the models.
 *
 * <p>{@link #AUTO} tries the CUDA provider and falls back to the CPU, logging once, when it cannot
 * be used (no GPU, no CUDA 12 libraries, or the CPU-only {@code onnxruntime} artifact); {@link
 * #CUDA} insists and fails the model's loading instead. {@link OnnxSegmenter#executionProvider()}
 * and {@link OnnxEncoder#executionProvider()} tell which one is in use.
 *
 * <p>Thread-safety: enum constants are immutable.
 */
public enum ExecutionProvider {
  /** The CPU provider. */
  CPU,
  /**
   * The CUDA provider only: loading a model fails with an {@link
   * org.cbmir.api.UnreadableInputException} naming the reason where it cannot be used.
   */
  CUDA,
  /** CUDA where it works, else the CPU; the default. */
  AUTO
}
