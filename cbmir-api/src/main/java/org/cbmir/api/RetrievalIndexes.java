package org.cbmir.api;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Creates and opens {@link RetrievalIndex}es through the {@link RetrievalIndexProvider} on the
 * class path (module {@code cbmir-index}, named {@code hamming}); where there are several, the
 * system property {@value #PROVIDER_PROPERTY} picks one by name. Providers are looked up once.
 *
 * <p>An index served elsewhere, by a search engine such as OpenSearch (module {@code
 * cbmir-opensearch}), is named by a location URI whose scheme picks the provider:
 *
 * <pre>{@code
 * URI archive = URI.create("opensearch://127.0.0.1:9200/lung-archive");
 * try (RetrievalIndex index = RetrievalIndexes.create(archive, IndexConfig.builder().matching(encoder).build())) {
 *   index.add(ref, embedding);
 * }
 * try (RetrievalIndex index = RetrievalIndexes.open(archive, OpenOptions.builder().modelFingerprint(fp).build())) {
 *   SearchResult hits = index.search(query, SearchRequest.defaults());
 * }
 * }</pre>
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

  /**
   * A new, empty index at a location served by a provider on the class path, chosen by the URI's
   * scheme ({@code opensearch://host:port/index-name} with {@code cbmir-opensearch}).
   *
   * @throws IllegalArgumentException if no provider serves the scheme (the message lists the
   *     schemes served), or the provider finds the location malformed or taken
   */
  public static RetrievalIndex create(URI location, IndexConfig config) {
    Objects.requireNonNull(config, "config");
    return providerFor(location).create(location, config);
  }

  /**
   * Opens the index at a location served by a provider on the class path, chosen by the URI's
   * scheme.
   *
   * @throws IllegalArgumentException if no provider serves the scheme (the message lists the
   *     schemes served)
   * @throws java.nio.file.NoSuchFileException if there is no index at the location
   * @throws ModelMismatchException if it was built with another model than the options name
   */
  public static RetrievalIndex open(URI location, OpenOptions options) throws IOException {
    Objects.requireNonNull(options, "options");
    return providerFor(location).open(location, options);
  }

  /** The provider that serves the location's scheme. */
  static RetrievalIndexProvider providerFor(URI location) {
    Objects.requireNonNull(location, "location");
    String scheme =
        location.getScheme() == null ? "" : location.getScheme().toLowerCase(Locale.ROOT);
    Map<String, String> served = new TreeMap<>();
    for (RetrievalIndexProvider p : Providers.all(RetrievalIndexProvider.class)) {
      for (String s : p.locationSchemes()) {
        if (s.equals(scheme)) {
          return p;
        }
        served.put(s, p.name());
      }
    }
    throw new IllegalArgumentException(
        "no index provider on the class path serves the location '"
            + location
            + "'; schemes served: "
            + (served.isEmpty() ? "none" : served.keySet())
            + " (opensearch://host:port/index-name needs the dependency org.cbmir:cbmir-opensearch)");
  }

  /** System property that picks the index provider by its {@link RetrievalIndexProvider#name()}. */
  public static final String PROVIDER_PROPERTY = "cbmir.index.provider";

  /**
   * The provider {@value #PROVIDER_PROPERTY} names, else the first on the class path, among those
   * that keep indexes in memory and files.
   */
  static RetrievalIndexProvider provider() {
    return Providers.select(
        RetrievalIndexProvider.class,
        RetrievalIndexProvider::name,
        PROVIDER_PROPERTY,
        "org.cbmir:cbmir-index",
        RetrievalIndexProvider::servesFiles);
  }
}
