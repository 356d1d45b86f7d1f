/**
 * The public API of cbmir: value types, the {@link org.cbmir.api.Segmenter}, {@link
 * org.cbmir.api.Encoder}, {@link org.cbmir.api.RetrievalIndex} and {@link
 * org.cbmir.api.VolumeReader} interfaces, and the factories that find their implementations through
 * {@link java.util.ServiceLoader}. This module depends on nothing but the SLF4J API.
 *
 * <p>Index embeddings and search them:
 *
 * <pre>{@code
 * IndexConfig config = IndexConfig.builder().bits(64).featureDimension(256)
 *     .modelFingerprint(fingerprint).build();
 * try (RetrievalIndex index = RetrievalIndexes.create(config)) {
 *   for (int i = 0; i < refs.size(); i++) {
 *     index.add(refs.get(i), embeddings.get(i));
 *   }
 *   SearchResult result = index.search(query, SearchRequest.builder().k(10).build());
 *   for (Hit hit : result.hits()) {
 *     System.out.println(hit.rank() + " " + hit.ref().patientId() + " " + hit.featureDistance());
 *   }
 * }
 * }</pre>
 *
 * <p>Errors: caller mistakes are {@link java.lang.IllegalArgumentException}s naming the value and
 * what was expected; inputs that cannot be used are {@link org.cbmir.api.CbmirException}s naming
 * the file and the reason.
 */
package org.cbmir.api;
