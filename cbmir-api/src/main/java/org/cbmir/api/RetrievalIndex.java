package org.cbmir.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The archive side of similar-case search: slices' embeddings and references, searched coarse to
 * fine. Obtain one from {@link RetrievalIndexes}.
 *
 * <pre>{@code
 * try (RetrievalIndex index = RetrievalIndexes.create(IndexConfig.builder().matching(encoder).build())) {
 *   int ordinal = index.add(slice.ref().orElseThrow(), encoder.encode(slice, mask));
 *   SearchResult result = index.search(queryEmbedding, SearchRequest.defaults());
 *   index.save(Path.of("archive.cbmir"));
 * }
 * }</pre>
 *
 * <p>Thread-safety: implementations are thread-safe; any number of threads may search while others
 * add or remove. A search sees every add and remove that completed before it started.
 */
public interface RetrievalIndex extends AutoCloseable {

  /** Code length in bits of the accepted embeddings. */
  int bits();

  /** FC1 dimension of the accepted embeddings. */
  int featureDimension();

  /** Fingerprint of the model whose embeddings the index accepts. */
  String modelFingerprint();

  /** {@link #bits()}, {@link #featureDimension()} and {@link #modelFingerprint()} together. */
  default EmbeddingShape shape() {
    return new EmbeddingShape(bits(), featureDimension(), modelFingerprint());
  }

  /**
   * Adds a slice.
   *
   * @return the slice's ordinal, stable for the index's lifetime (also across save and open)
   * @throws IllegalArgumentException if the embedding's code length, dimension or model differ from
   *     the index's
   * @throws UnsupportedOperationException if the index is read-only (opened memory-mapped, see
   *     {@link OpenOptions})
   */
  int add(SliceRef ref, Embedding embedding);

  /**
   * Removes a slice so that no later search returns it.
   *
   * @return {@code true} if it was live, {@code false} if it was already removed
   * @throws IllegalArgumentException if the ordinal was never assigned
   */
  boolean remove(int ordinal);

  /**
   * Whether a slice has been removed.
   *
   * @throws IllegalArgumentException if the ordinal was never assigned
   */
  boolean isRemoved(int ordinal);

  /**
   * Whether {@link #add} refuses slices: true for an index opened memory-mapped (see {@link
   * OpenOptions}). Removes and saves work either way.
   */
  default boolean isReadOnly() {
    return false;
  }

  /** Number of live (added and not removed) slices. */
  int size();

  /** Number of ordinals assigned so far, removed ones included. */
  int ordinalCount();

  /**
   * The reference of a slice.
   *
   * @throws IllegalArgumentException if the ordinal was never assigned
   */
  SliceRef ref(int ordinal);

  /**
   * Searches the index.
   *
   * @throws IllegalArgumentException if the query's code length, dimension or model differ from the
   *     index's
   */
  SearchResult search(Embedding query, SearchRequest request);

  /**
   * Searches for several queries at once; the coarse stage makes one pass over the codes for the
   * whole batch, which is cheaper than one pass per query when the scan is memory-bound.
   */
  List<SearchResult> searchBatch(List<Embedding> queries, SearchRequest request);

  /**
   * Saves the index to one file atomically: the file is written beside its target, forced to disk
   * and renamed, so that a failed save leaves any previous file intact.
   */
  void save(Path file) throws IOException;

  /**
   * Releases resources; closing twice is harmless, any other call afterwards throws {@link
   * IllegalStateException}.
   */
  @Override
  void close();
}
