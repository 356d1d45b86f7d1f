package org.cbmir.onnx;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The options {@link OnnxSegmenter.Builder} and {@link OnnxEncoder.Builder} share: which model,
 * where to run it, with how many threads, in batches of how many slices.
 *
 * <p>Thread-safety: not thread-safe; use a builder from one thread.
 *
 * @param <B> the concrete builder, returned by each setter
 * @param <T> what {@link #build()} makes
 */
public abstract class OnnxModelBuilder<B extends OnnxModelBuilder<B, T>, T> {
  OnnxOptions options = OnnxOptions.defaults();

  OnnxModelBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** A user's model with the same I/O contract instead of the shipped one. */
  public B model(Path onnxFile) {
    options =
        new OnnxOptions(
            onnxFile, options.provider(), options.intraOpThreads(), options.batchSize());
    return self();
  }

  /** Where to run (default {@link ExecutionProvider#AUTO}). */
  public B executionProvider(ExecutionProvider provider) {
    options =
        new OnnxOptions(options.model(), provider, options.intraOpThreads(), options.batchSize());
    return self();
  }

  /** ONNX Runtime intra-op threads (default: processors, at most 4). */
  public B intraOpThreads(int threads) {
    options = new OnnxOptions(options.model(), options.provider(), threads, options.batchSize());
    return self();
  }

  /** Slices per inference call when given several (default 8). */
  public B batchSize(int slices) {
    options =
        new OnnxOptions(options.model(), options.provider(), options.intraOpThreads(), slices);
    return self();
  }

  /**
   * Loads the model. As everywhere in cbmir, a file that cannot be used (here the model) is a
   * checked {@link IOException}, and a caller's mistake an unchecked exception.
   *
   * @throws java.nio.file.NoSuchFileException when the model file is missing
   * @throws org.cbmir.api.UnreadableInputException when the model is unreadable, breaks the I/O
   *     contract (the message names the missing output or the wrong shape), or {@link
   *     ExecutionProvider#CUDA} was asked for where CUDA cannot be used
   * @throws IllegalArgumentException on a bad option
   */
  public abstract T build() throws IOException;
}
