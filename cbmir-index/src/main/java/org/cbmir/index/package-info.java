/**
 * The coarse-to-fine retrieval index: packed Hamming codes searched by multi-index hashing or a
 * SIMD linear scan, filter bitmaps, and a SIMD FC1 reranker. Applications reach it through {@link
 * org.cbmir.api.RetrievalIndexes}; adding this module to the class path is all it takes.
 *
 * <pre>{@code
 * try (RetrievalIndex index = RetrievalIndexes.create(IndexConfig.builder()
 *     .bits(64).featureDimension(256).modelFingerprint(fp).expectedSlices(1_000_000).build())) {
 *   index.add(ref, embedding);
 *   SearchResult r = index.search(query, SearchRequest.builder().k(10).minPoolSize(1000).build());
 *   System.out.println(r.strategy() + " scored " + r.fineStageCount() + " slices");
 *   index.save(Path.of("archive.cbmir"));
 * }
 * }</pre>
 *
 * <p>Run the JVM with {@code --add-modules jdk.incubator.vector} for the Vector API kernels; see
 * {@link org.cbmir.index.kernels.Kernels}.
 */
package org.cbmir.index;
