package org.cbmir.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Creates and opens {@link RetrievalIndex}es through the {@link RetrievalIndexProvider} on the
 * class path (module {@code cbmir-index}, named {@code hamming}); where there are several, the
 * system property {@value #PROVIDER_PROPERTY} picks one by name. Providers are looked up once.
 *
 * <p>Thread-safety: all methods are thread-safe.
 */
public final class RetrievalIndexes {
  private RetrievalIndexes() {}

  /** A new, empty index of the given shape. */
  public static RetrievalIndex create(IndexConfig config) {
    Objects.requireNonNull(config, "config");
    return provider().create(config);
  }

  /**
   * Opens a saved index that must have been built with the given model.
   *
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws CorruptIndexException if the file is not a complete, intact index
   * @throws ModelMismatchException if it was built with another model
   */
  public static RetrievalIndex open(Path file, String expectedFingerprint) throws IOException {
    Objects.requireNonNull(expectedFingerprint, "expectedFingerprint");
    return provider().open(file, expectedFingerprint);
  }

  /**
   * Opens a saved index as {@code options} say: in memory or memory-mapped, checksums verified at
   * open or on first use.
   *
   * @throws java.nio.file.NoSuchFileException if the file does not exist
   * @throws CorruptIndexException if the file is not a complete, intact index (with {@link
   *     OpenOptions.Checksums#ON_FIRST_USE}, damage inside a large section is reported by the first
   *     operation that reads it instead)
   * @throws ModelMismatchException if it was built with another model than the options name
   */
  public static RetrievalIndex open(Path file, OpenOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    return provider().open(file, options);
  }

  /** Opens a saved index whatever model it was built with (for tools that inspect indexes). */
  public static RetrievalIndex openAnyModel(Path file) throws IOException {
    return provider().open(file, (String) null);
  }

  /** System property that picks the index provider by its {@link RetrievalIndexProvider#name()}. */
  public static final String PROVIDER_PROPERTY = "cbmir.index.provider";

  /** The provider {@value #PROVIDER_PROPERTY} names, else the first on the class path. */
  static RetrievalIndexProvider provider() {
    return Providers.select(
        RetrievalIndexProvider.class,
        RetrievalIndexProvider::name,
        PROVIDER_PROPERTY,
        "org.cbmir:cbmir-index");
  }
}
