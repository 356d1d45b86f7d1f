package org.cbmir.api;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * Service-provider interface for {@link RetrievalIndex} implementations, found with {@link
 * java.util.ServiceLoader}. Applications use {@link RetrievalIndexes} instead.
 *
 * <p>Thread-safety: implementations must be thread-safe.
 */
public interface RetrievalIndexProvider {

  /** A short name for logs and error messages. */
  String name();

  /**
   * A new, empty index.
   *
   * @throws UnsupportedOperationException if this provider only serves indexes at a location (see
   *     {@link #locationSchemes()})
   */
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

  /**
   * The URI schemes of the locations this provider serves with {@link #create(URI, IndexConfig)}
   * and {@link #open(URI, OpenOptions)}, lower case; empty (the default) for a provider that only
   * keeps indexes in memory and files.
   */
  default Set<String> locationSchemes() {
    return Set.of();
  }

  /**
   * Whether {@link #create(IndexConfig)} and {@link #open(Path, String)} work, so that {@link
   * RetrievalIndexes} may pick this provider when no location is named (default {@code true}).
   */
  default boolean servesFiles() {
    return true;
  }

  /**
   * A new, empty index at a location, for instance {@code opensearch://host:9200/lung-archive}.
   *
   * @throws IllegalArgumentException if the location is malformed or already holds an index
   * @throws UnsupportedOperationException if this provider serves no locations
   */
  default RetrievalIndex create(URI location, IndexConfig config) {
    throw new UnsupportedOperationException(
        "index provider '" + name() + "' serves no locations; asked for " + location);
  }

  /**
   * Opens the index at a location as {@code options} say.
   *
   * @throws java.nio.file.NoSuchFileException if there is no index at the location
   * @throws ModelMismatchException if it was built with another model than the options name
   * @throws UnsupportedOperationException if this provider serves no locations
   */
  default RetrievalIndex open(URI location, OpenOptions options) throws IOException {
    throw new UnsupportedOperationException(
        "index provider '" + name() + "' serves no locations; asked for " + location);
  }
}
