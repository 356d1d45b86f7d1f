/**
 * The retrieval evaluation, as a library part: the protocols ({@link
 * org.cbmir.data.eval.Evaluation}: real test-patient slices, transplanted real nodules of test
 * patients, the paper's random split), the metrics ({@code RetrievalMetrics}: precision@k, AP@k,
 * top-k majority class, precision-recall curves), the report ({@link
 * org.cbmir.data.eval.EvaluationReport}: JSON and text) and the pictures ({@code PrCurvePlot},
 * {@code EvaluationGallery}), on a dataset that {@link org.cbmir.data.DatasetExporter} wrote.
 *
 * <pre>{@code
 * DatasetExporter.builder().build().exportFolder(data, dataset, ReadListener.NONE);
 * try (Encoder enc = Models.encoder()) {
 *   Evaluation.Summary s = Evaluation.run(dataset, enc, outFolder);   // needs cbmir-index
 *   System.out.print(EvaluationReport.text(s));
 * }
 * }</pre>
 *
 * <p>An index implementation ({@code cbmir-index}) must be on the class path at run time: the
 * evaluation reaches it through {@link org.cbmir.api.RetrievalIndexes}.
 */
package org.cbmir.data.eval;
