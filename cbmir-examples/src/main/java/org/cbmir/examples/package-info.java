/**
 * Runnable examples of the library. {@link org.cbmir.examples.Demo} is the main job of the README:
 * it ingests a folder of CT with {@link org.cbmir.api.SimilarCaseSearch}, searches it, and runs the
 * evaluation on patients the models never saw.
 *
 * <pre>
 * mvn -B -q -Pdemo package -DskipTests
 * </pre>
 */
package org.cbmir.examples;
