package org.cbmir.api;

import java.nio.file.Path;

/**
 * An index built with one model opened for use with another: Hamming codes and FC1 features of two
 * models are not comparable, so searching it would give silently wrong answers.
 *
 * <p>Thread-safety: immutable after construction.
 */
public class ModelMismatchException extends CbmirException {
  private static final long serialVersionUID = 1L;

  /**
   * @param file the index file
   * @param expected the fingerprint of the model in use
   * @param actual the fingerprint the index was built with
   */
  public ModelMismatchException(Path file, String expected, String actual) {
    super(
        file,
        "index was built with model "
            + actual
            + " but model "
            + expected
            + " is in use; re-index with the current model");
  }
}
