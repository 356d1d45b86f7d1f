/**
 * The {@code cbmir} command line, built as one runnable jar ({@code
 * cbmir-cli/target/cbmir-cli.jar}) and started by the {@code ./cbmir} launcher at the root of the
 * repository, which finds a JDK &gt;= 21 and enables the Vector API:
 *
 * <pre>
 * ./cbmir index ../shared/data/lidc-idri --out target/lidc.cbmir
 * ./cbmir search ../shared/data/lidc-idri/LIDC-IDRI-0003 --slice 60 --index target/lidc.cbmir \
 *     --other-patients --html target/top10.html --archive ../shared/data/lidc-idri
 * ./cbmir info target/lidc.cbmir
 * </pre>
 */
package org.cbmir.cli;
