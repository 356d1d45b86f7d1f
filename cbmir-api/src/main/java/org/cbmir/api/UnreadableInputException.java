package org.cbmir.api;

import java.nio.file.Path;

/**
 * An input file (DICOM, MetaImage, annotation, model) that cannot be read, with the reason:
 * corrupt, truncated, an unsupported encoding, or missing a required field.
 *
 * <p>Thread-safety: immutable after construction.
 */
public class UnreadableInputException extends CbmirException {
  private static final long serialVersionUID = 1L;

  /**
   * @param file the unreadable file
   * @param reason why it cannot be read
   */
  public UnreadableInputException(Path file, String reason) {
    super(file, reason);
  }

  /**
   * @param file the unreadable file
   * @param reason why it cannot be read
   * @param cause the underlying failure
   */
  public UnreadableInputException(Path file, String reason, Throwable cause) {
    super(file, reason, cause);
  }
}
