package org.cbmir.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Base of cbmir's checked exceptions: an input (a file, a model, an index) that cannot be used,
 * named together with the reason. Caller mistakes are {@link IllegalArgumentException}s instead.
 *
 * <p>Thread-safety: immutable after construction.
 */
public class CbmirException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * @param file the offending file, or {@code null} when there is none
   * @param message what is wrong, phrased for the user
   */
  public CbmirException(Path file, String message) {
    super(file == null ? message : file + ": " + message);
    this.file = file;
  }

  /**
   * @param file the offending file, or {@code null} when there is none
   * @param message what is wrong, phrased for the user
   * @param cause the underlying failure
   */
  public CbmirException(Path file, String message, Throwable cause) {
    super(file == null ? message : file + ": " + message, cause);
    this.file = file;
  }

  /** The offending file, or {@code null}. */
  public Path file() {
    return file;
  }
}
