package org.cbmir.onnx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cbmir.api.CtSlice;
import org.cbmir.api.LungMask;
import org.cbmir.api.Segmenter;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.preprocessing.ModelInput;

/**
 * Lung segmentation with the U-Net on ONNX Runtime. Each slice is brought to the model's grid
 * ({@link ModelInput}, from the model's metadata), segmented, thresholded at 0.5 and carried back
 * to the slice's own grid.
 *
 * <pre>{@code
 * try (OnnxSegmenter segmenter = OnnxSegmenter.builder().build()) {   // shipped model, AUTO
 *   LungMask mask = segmenter.segment(slice);
 * }
 * }</pre>
 *
 * <p>Thread-safety: thread-safe; one instance (one ONNX Runtime session) serves many threads.
 * Closing twice is harmless; any other call after {@link #close} throws {@link
 * IllegalStateException}.
 */
public final class OnnxSegmenter implements Segmenter {
  /** Class-path location of the shipped U-Net. */
  public static final String SHIPPED = "/org/cbmir/onnx/models/lung-unet.onnx";

  private final OnnxModel model;
  private final int batchSize;

  private OnnxSegmenter(OnnxModel model, int batchSize) {
    this.model = model;
    this.batchSize = batchSize;
  }

  /** A builder: the shipped model on {@link ExecutionProvider#AUTO}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public LungMask segment(CtSlice slice) {
    return segmentAll(List.of(slice)).get(0);
  }

  @Override
  public List<LungMask> segmentAll(List<CtSlice> slices) {
    List<LungMask> out = new ArrayList<>(slices.size());
    ModelInput in = model.input;
    int px = in.size() * in.size();
    for (int b = 0; b < slices.size(); b += batchSize) {
      List<CtSlice> part = slices.subList(b, Math.min(slices.size(), b + batchSize));
      float[][] images = new float[part.size()][];
      for (int i = 0; i < images.length; i++) {
        images[i] = in.prepare(part.get(i)).hu();
      }
      float[] prob = model.run(images).get("mask");
      for (int i = 0; i < images.length; i++) {
        boolean[] m = new boolean[px];
        for (int p = 0; p < px; p++) {
          m[p] = prob[i * px + p] >= 0.5f;
        }
        out.add(in.maskToSlice(part.get(i), m));
      }
    }
    return out;
  }

  /** The model's lung probabilities on its own grid, for a slice already on that grid. */
  float[] probabilities(float[] modelGridHu) {
    return model.run(new float[][] {modelGridHu}).get("mask");
  }

  /** The grid the model works on. */
  public ModelInput modelInput() {
    return model.input;
  }

  /** The provider actually in use (CPU after a CUDA fallback). */
  public ExecutionProvider executionProvider() {
    return model.provider;
  }

  /** SHA-256 of the model file. */
  public String modelFingerprint() {
    return model.fingerprint;
  }

  @Override
  public void close() {
    model.close();
  }

  /** Builder for {@link OnnxSegmenter}; options in {@link OnnxModelBuilder}. Not thread-safe. */
  public static final class Builder extends OnnxModelBuilder<Builder, OnnxSegmenter> {
    private Builder() {}

    @Override
    public OnnxSegmenter build() throws IOException {
      OnnxOptions o = options.check();
      OnnxModel m = OnnxModel.load(o, SHIPPED, "mask");
      long[] shape = m.outputs.get("mask");
      if (shape.length != 4 || shape[1] != 1) {
        m.close();
        throw new UnreadableInputException(
            o.model(), "output 'mask' must be [N,1,S,S], is " + Arrays.toString(shape));
      }
      return new OnnxSegmenter(m, o.batchSize());
    }
  }
}
