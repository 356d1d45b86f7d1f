package org.cbmir.opensearch;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.OpenOptions;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexProvider;

/**
 * The {@link RetrievalIndexProvider} named {@code opensearch}: serves {@code
 * opensearch://host:port/index-name} and {@code opensearch+https://...} locations through {@link
 * org.cbmir.api.RetrievalIndexes}, with {@link OpenSearchTarget}'s default settings. It keeps no
 * index in memory or files, so it is never picked when no location is named.
 *
 * <p>Thread-safety: stateless.
 */
public final class OpenSearchIndexProvider implements RetrievalIndexProvider {
  /** For {@link java.util.ServiceLoader}. */
  public OpenSearchIndexProvider() {}

  @Override
  public String name() {
    return "opensearch";
  }

  @Override
  public Set<String> locationSchemes() {
    return Set.of(OpenSearchTarget.SCHEME, OpenSearchTarget.SCHEME_HTTPS);
  }

  @Override
  public boolean servesFiles() {
    return false;
  }

  @Override
  public RetrievalIndex create(IndexConfig config) {
    throw new UnsupportedOperationException(
        "the opensearch provider needs a location: RetrievalIndexes.create(URI, IndexConfig) with"
            + " opensearch://host:port/index-name");
  }

  @Override
  public RetrievalIndex open(Path file, String expectedFingerprint) {
    throw new UnsupportedOperationException(
        "the opensearch provider opens locations, not files: RetrievalIndexes.open(URI,"
            + " OpenOptions), or OpenSearchIndexes.open(manifest, endpoint, options) for a"
            + " manifest");
  }

  @Override
  public RetrievalIndex create(URI location, IndexConfig config) {
    return OpenSearchIndexes.create(OpenSearchTarget.of(location), config);
  }

  @Override
  public RetrievalIndex open(URI location, OpenOptions options) throws IOException {
    return OpenSearchIndexes.open(OpenSearchTarget.of(location), options);
  }
}
