/**
 * The {@link org.cbmir.api.RetrievalIndex} served by OpenSearch (3.5 with the k-NN plugin), for
 * archives that outgrow one JVM: replicated, shared by many application servers, tens of millions
 * of slices. Searches follow the same contract as the in-process index ({@code docs/SEARCH.md}) and
 * give the same answers; they are scored exactly on the cluster, not approximately.
 *
 * <pre>{@code
 * URI archive = URI.create("opensearch://10.0.0.5:9200/lung-archive");
 * try (SimilarCaseSearch search = SimilarCaseSearch.builder().create(archive)) {
 *   search.ingest(Path.of("/data/dicom"));
 * }
 * try (SimilarCaseSearch search = SimilarCaseSearch.builder().open(archive)) {
 *   SearchResult similar = search.search(slice, SearchRequest.defaults());
 * }
 * }</pre>
 *
 * <p>For shards, replicas, timeouts and the bulk batch size, use {@link
 * org.cbmir.opensearch.OpenSearchTarget} with {@link org.cbmir.opensearch.OpenSearchIndexes}.
 */
package org.cbmir.opensearch;
