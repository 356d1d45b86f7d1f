/**
 * The index's hot loops behind one facade, {@link org.cbmir.index.kernels.Kernels}: a Vector API
 * implementation when the JVM has {@code jdk.incubator.vector}, a scalar one otherwise.
 *
 * <pre>{@code
 * // java --add-modules jdk.incubator.vector ...
 * int n = Kernels.radiusScan(codes, 1, 0, codes.length, query, 0, 4, ordinals, distances);
 * }</pre>
 */
package org.cbmir.index.kernels;
