package org.cbmir.onnx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.LungMask;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.preprocessing.ModelInput;

/**
 * InRes-Net on ONNX Runtime: the slice is brought to the model's grid, pixels outside the lung mask
 * are set to the model's masked value (metadata {@code cbmir.masked_hu}, default -1024 HU), and the
 * outputs become an {@link Embedding}: FC1 features, the latent layer binarised at 0.5, and the
 * softmax of the class logits. The model fingerprint is the SHA-256 of the model file, so an index
 * built with one model refuses embeddings of another.
 *
 * <pre>{@code
 * try (OnnxSegmenter seg = OnnxSegmenter.builder().build();
 *      OnnxEncoder enc = OnnxEncoder.builder().build()) {
 *   Embedding e = enc.encode(slice, seg.segment(slice));
 * }
 * }</pre>
 *
 * <p>Thread-safety: thread-safe; one instance serves many threads. Closing twice is harmless; any
 * other call after {@link #close} throws {@link IllegalStateException}.
 */
public final class OnnxEncoder implements Encoder {
  /** Class-path location of the shipped InRes-Net. */
  public static final String SHIPPED = "/org/cbmir/onnx/models/inresnet.onnx";

  private final OnnxModel model;
  private final int batchSize;
  private final int dim;
  private final int bits;
  private final float maskedHu;

  private OnnxEncoder(OnnxModel model, int batchSize) throws UnreadableInputException {
    this.model = model;
    this.batchSize = batchSize;
    long[] fc1 = model.outputs.get("fc1");
    long[] latent = model.outputs.get("latent");
    long[] logits = model.outputs.get("logits");
    if (fc1.length != 2
        || fc1[1] < 1
        || latent.length != 2
        || latent[1] < 1
        || latent[1] > Embedding.MAX_BITS
        || logits.length != 2
        || logits[1] != NoduleClass.COUNT) {
      throw new UnreadableInputException(
          null,
          "model "
              + model.name
              + " outputs must be fc1"
              + " [N,D], latent [N,B<=1024], logits [N,"
              + NoduleClass.COUNT
              + "]; are "
              + Arrays.toString(fc1)
              + ", "
              + Arrays.toString(latent)
              + ", "
              + Arrays.toString(logits));
    }
    this.dim = (int) fc1[1];
    this.bits = (int) latent[1];
    this.maskedHu = Float.parseFloat(model.metadata.getOrDefault("cbmir.masked_hu", "-1024"));
  }

  /** A builder: the shipped model on {@link ExecutionProvider#AUTO}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Embedding encode(CtSlice slice, LungMask mask) {
    return encodeAll(List.of(slice), List.of(mask)).get(0);
  }

  @Override
  public List<Embedding> encodeAll(List<CtSlice> slices, List<LungMask> masks) {
    if (slices.size() != masks.size()) {
      throw new IllegalArgumentException(
          "expected one mask per slice, got "
              + slices.size()
              + " slices and "
              + masks.size()
              + " masks");
    }
    ModelInput in = model.input;
    List<Embedding> out = new ArrayList<>(slices.size());
    for (int b = 0; b < slices.size(); b += batchSize) {
      int n = Math.min(batchSize, slices.size() - b);
      float[][] images = new float[n][];
      for (int i = 0; i < n; i++) {
        CtSlice s = slices.get(b + i);
        LungMask m = masks.get(b + i);
        if (m.width() != s.width() || m.height() != s.height()) {
          throw new IllegalArgumentException(
              "mask "
                  + (b + i)
                  + " is "
                  + m.width()
                  + "x"
                  + m.height()
                  + ", its slice "
                  + s.width()
                  + "x"
                  + s.height());
        }
        float[] px = in.prepare(s).hu();
        boolean[] lung = in.maskToModel(s, m);
        for (int p = 0; p < px.length; p++) {
          if (!lung[p]) {
            px[p] = maskedHu;
          }
        }
        images[i] = px;
      }
      out.addAll(embeddings(model.run(images), n));
    }
    return out;
  }

  /** Encodes images already on the model grid and already masked (tests, evaluation). */
  List<Embedding> encodePrepared(float[][] modelGridImages) {
    List<Embedding> out = new ArrayList<>();
    for (int b = 0; b < modelGridImages.length; b += batchSize) {
      float[][] part =
          Arrays.copyOfRange(modelGridImages, b, Math.min(modelGridImages.length, b + batchSize));
      out.addAll(embeddings(model.run(part), part.length));
    }
    return out;
  }

  /** Raw outputs for images on the model grid (golden tests). */
  Map<String, float[]> runRaw(float[][] modelGridImages) {
    return model.run(modelGridImages);
  }

  private List<Embedding> embeddings(Map<String, float[]> r, int n) {
    float[] f = r.get("fc1");
    float[] h = r.get("latent");
    float[] l = r.get("logits");
    int c = NoduleClass.COUNT;
    List<Embedding> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      float[] probs = new float[c];
      float max = Float.NEGATIVE_INFINITY;
      for (int k = 0; k < c; k++) {
        max = Math.max(max, l[i * c + k]);
      }
      float sum = 0;
      for (int k = 0; k < c; k++) {
        probs[k] = (float) Math.exp(l[i * c + k] - max);
        sum += probs[k];
      }
      for (int k = 0; k < c; k++) {
        probs[k] /= sum;
      }
      out.add(
          Embedding.builder()
              .fc1(Arrays.copyOfRange(f, i * dim, (i + 1) * dim))
              .latent(Arrays.copyOfRange(h, i * bits, (i + 1) * bits))
              .classProbabilities(probs)
              .modelFingerprint(model.fingerprint)
              .build());
    }
    return out;
  }

  @Override
  public int featureDimension() {
    return dim;
  }

  @Override
  public int bits() {
    return bits;
  }

  @Override
  public String modelFingerprint() {
    return model.fingerprint;
  }

  /** The grid the model works on. */
  public ModelInput modelInput() {
    return model.input;
  }

  /** The provider actually in use (CPU after a CUDA fallback). */
  public ExecutionProvider executionProvider() {
    return model.provider;
  }

  @Override
  public void close() {
    model.close();
  }

  /** Builder for {@link OnnxEncoder}; options in {@link OnnxModelBuilder}. Not thread-safe. */
  public static final class Builder extends OnnxModelBuilder<Builder, OnnxEncoder> {
    private Builder() {}

    @Override
    public OnnxEncoder build() throws IOException {
      OnnxOptions o = options.check();
      OnnxModel m = OnnxModel.load(o, SHIPPED, "fc1", "latent", "logits");
      try {
        return new OnnxEncoder(m, o.batchSize());
      } catch (IOException | RuntimeException e) {
        m.close();
        throw e;
      }
    }
  }
}
