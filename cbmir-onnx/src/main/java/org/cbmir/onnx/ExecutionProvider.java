package org.cbmir.onnx;

/**
 * Where ONNX Runtime runs the models.
 *
 * <p>{@link #CUDA} and {@link #AUTO} both try the CUDA provider and fall back to the CPU, logging
 * once, when it cannot be used (no GPU, no CUDA 12 libraries, or the CPU-only {@code onnxruntime}
 * artifact); {@link OnnxSegmenter#executionProvider()} and {@link OnnxEncoder#executionProvider()}
 * tell which one is in use. Thread-safety: enum constants are immutable.
 */
public enum ExecutionProvider {
  /** The CPU provider. */
  CPU,
  /** The CUDA provider, falling back to the CPU when it cannot be used. */
  CUDA,
  /** CUDA where it works, else the CPU; the default. */
  AUTO
}
