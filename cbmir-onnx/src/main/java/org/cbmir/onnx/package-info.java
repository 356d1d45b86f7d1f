/**
 * The lung U-Net and InRes-Net on ONNX Runtime, with the shipped models and their model cards
 * ({@code org/cbmir/onnx/models/*.card.json} on the class path).
 *
 * <pre>{@code
 * try (OnnxSegmenter seg = OnnxSegmenter.builder().executionProvider(ExecutionProvider.AUTO).build();
 *      OnnxEncoder enc = OnnxEncoder.builder().intraOpThreads(2).build()) {
 *   List<LungMask> masks = seg.segmentAll(slices);
 *   List<Embedding> embeddings = enc.encodeAll(slices, masks);
 *   System.out.println("running on " + enc.executionProvider());
 * }
 * }</pre>
 *
 * <p>GPU: replace the {@code com.microsoft.onnxruntime:onnxruntime} dependency with {@code
 * onnxruntime_gpu} of the same version (CUDA 12, cuDNN 9); see the README.
 */
package org.cbmir.onnx;
