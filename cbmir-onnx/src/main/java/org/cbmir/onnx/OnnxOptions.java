package org.cbmir.onnx;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * How to load a model: which file (default: the shipped one), where to run it, with how many
 * threads and in batches of how many slices. Shared by {@link OnnxSegmenter.Builder} and {@link
 * OnnxEncoder.Builder}.
 *
 * <p>Thread-safety: immutable.
 */
record OnnxOptions(Path model, ExecutionProvider provider, int intraOpThreads, int batchSize) {
  static OnnxOptions defaults() {
    return new OnnxOptions(
        null,
        ExecutionProvider.AUTO,
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())),
        8);
  }

  OnnxOptions check() {
    if (provider == null) {
      throw new IllegalArgumentException(
          "execution provider is required; valid providers: "
              + Arrays.toString(ExecutionProvider.values()));
    }
    if (intraOpThreads < 1 || batchSize < 1) {
      throw new IllegalArgumentException(
          "intraOpThreads and batchSize must be >= 1, got " + intraOpThreads + " and " + batchSize);
    }
    return this;
  }
}
