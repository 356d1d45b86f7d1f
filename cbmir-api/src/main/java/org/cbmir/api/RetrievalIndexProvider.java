package org.cbmir.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Service-provider interface for {@link RetrievalIndex} implementations, found with {@link
 * java.util.ServiceLoader}. Applications use {@link RetrievalIndexes} instead.
 *
 * <p>Thread-safety: implementations must be thread-safe.
 */
public interface RetrievalIndexProvider {

  /** A short name for logs and error messages. */
  String name();

  /** A new, empty index. */
  RetrievalIndex create(IndexConfig config);

  /**
   * Opens a saved index.
   *
   * @param expectedFingerprint the model fingerprint the caller will query with, or {@code null} to
   *     accept any
   * @throws CorruptIndexException if the file is not a complete, intact index
   * @throws ModelMismatchException if it was built with another model
   */
  RetrievalIndex open(Path file, String expectedFingerprint) throws IOException;
}
