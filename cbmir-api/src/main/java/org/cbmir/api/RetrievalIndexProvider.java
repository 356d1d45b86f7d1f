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

  /**
   * Opens a saved index as {@code options} say. The default reads it into memory with {@link
   * #open(Path, String)} and refuses memory mapping, which a provider supports by overriding this.
   *
   * @throws UnsupportedOperationException if the options ask for memory mapping and this provider
   *     cannot map its files
   */
  default RetrievalIndex open(Path file, OpenOptions options) throws IOException {
    if (options.memoryMapped()) {
      throw new UnsupportedOperationException(
          "index provider '"
              + name()
              + "' cannot memory-map its files; open without OpenOptions.Builder.memoryMapped()");
    }
    return open(file, options.modelFingerprint().orElse(null));
  }
}
