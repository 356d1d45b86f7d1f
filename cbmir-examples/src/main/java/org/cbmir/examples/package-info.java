/**
 * Runnable examples. {@link org.cbmir.examples.Demo} is the main job of the README:
 *
 * <pre>{@code
 * mvn -B -q install -DskipTests && mvn -B -q -pl cbmir-examples exec:exec
 * }</pre>
 */
package org.cbmir.examples;
