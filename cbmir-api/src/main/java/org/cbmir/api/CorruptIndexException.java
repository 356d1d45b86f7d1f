package org.cbmir.api;

import java.nio.file.Path;

/**
 * An index file that is truncated, altered or not an index at all. Loading never returns a partial
 * index: it either succeeds completely or throws this.
 *
 * <p>Thread-safety: immutable after construction.
 */
public class CorruptIndexException extends CbmirException {
  private static final long serialVersionUID = 1L;

  private final String section;

  /**
   * @param file the index file
   * @param section the part of the file where the problem was found (e.g. "header", "codes")
   * @param reason what is wrong
   */
  public CorruptIndexException(Path file, String section, String reason) {
    super(file, "corrupt index (section '" + section + "'): " + reason);
    this.section = section;
  }

  /** The section of the file where the problem was found. */
  public String section() {
    return section;
  }
}
