package org.cbmir.opensearch;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.ModelMismatchException;
import org.cbmir.api.OpenOptions;

/**
 * Creates, opens and deletes {@link OpenSearchRetrievalIndex}es with full control of the connection
 * ({@link OpenSearchTarget}). With default settings, {@link
 * org.cbmir.api.RetrievalIndexes#create(URI, IndexConfig)} and {@code open(URI, OpenOptions)} do
 * the same for an {@code opensearch://host:port/index-name} location.
 *
 * <p>Thread-safety: all methods are thread-safe.
 */
public final class OpenSearchIndexes {
  private OpenSearchIndexes() {}

  /**
   * Creates the index on the cluster and returns it, empty.
   *
   * @throws IllegalArgumentException if an index of that name exists, or the configuration asks for
   *     compact feature storage (the cluster keeps float32)
   * @throws OpenSearchException if the node cannot be reached or refuses
   */
  public static OpenSearchRetrievalIndex create(OpenSearchTarget target, IndexConfig config) {
    return OpenSearchRetrievalIndex.create(target, config);
  }

  /**
   * Opens an index on the cluster that must have been built with the given model.
   *
   * @throws java.nio.file.NoSuchFileException if the cluster has no index of that name
   * @throws ModelMismatchException if it was built with another model
   * @throws IllegalArgumentException if cbmir did not make it, or its mapping does not match its
   *     recorded code length and FC1 dimension
   * @throws OpenSearchException if the node cannot be reached or refuses
   */
  public static OpenSearchRetrievalIndex open(OpenSearchTarget target, String expectedFingerprint)
      throws IOException {
    Objects.requireNonNull(expectedFingerprint, "expectedFingerprint");
    return OpenSearchRetrievalIndex.open(target, expectedFingerprint);
  }

  /**
   * Opens an index as {@code options} say; memory mapping is refused (the features live on the
   * cluster).
   *
   * @throws UnsupportedOperationException if the options ask for memory mapping
   */
  public static OpenSearchRetrievalIndex open(OpenSearchTarget target, OpenOptions options)
      throws IOException {
    Objects.requireNonNull(options, "options");
    if (options.memoryMapped()) {
      throw new UnsupportedOperationException(
          "an OpenSearch-served index cannot be memory-mapped: its features live on the cluster;"
              + " open it without OpenOptions.Builder.memoryMapped()");
    }
    return OpenSearchRetrievalIndex.open(target, options.modelFingerprint().orElse(null));
  }

  /**
   * Reopens the index a manifest written by {@link OpenSearchRetrievalIndex#save} names, through
   * the given endpoint of its cluster.
   *
   * @throws org.cbmir.api.CorruptIndexException if the file is not such a manifest
   * @throws ModelMismatchException if the index, or the manifest, was built with another model than
   *     the options name
   */
  public static OpenSearchRetrievalIndex open(Path manifest, URI endpoint, OpenOptions options)
      throws IOException {
    Objects.requireNonNull(options, "options");
    Properties p = OpenSearchRetrievalIndex.readManifest(manifest);
    String fp = p.getProperty("modelFingerprint");
    if (options.modelFingerprint().isPresent() && !options.modelFingerprint().get().equals(fp)) {
      throw new ModelMismatchException(manifest, options.modelFingerprint().get(), fp);
    }
    OpenSearchTarget target =
        OpenSearchTarget.builder().endpoint(endpoint).indexName(p.getProperty("indexName")).build();
    return open(target, OpenOptions.builder().modelFingerprint(fp).build());
  }

  /** Whether the cluster holds an index of the target's name. */
  public static boolean exists(OpenSearchTarget target) {
    try (Node node = new Node(target)) {
      return !node.call("GET", "/" + target.indexName() + "/_mapping", null, "exists", true)
          .isMissingNode();
    }
  }

  /**
   * Deletes the index from the cluster, with every slice in it.
   *
   * @return {@code true} if it existed
   */
  public static boolean delete(OpenSearchTarget target) {
    try (Node node = new Node(target)) {
      return !node.call("DELETE", "/" + target.indexName(), null, "delete index", true)
          .isMissingNode();
    }
  }
}
