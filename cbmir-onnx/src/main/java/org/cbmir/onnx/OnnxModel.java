package org.cbmir.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.preprocessing.ModelInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session with the cbmir I/O contract checked at load: input {@code input} float32
 * {@code [N,1,S,S]} in HU, the listed outputs, and the input geometry in the model's metadata
 * ({@code cbmir.input_size}, {@code cbmir.pixel_spacing_mm}).
 *
 * <p>Thread-safety: thread-safe; ONNX Runtime sessions may be run from many threads at once. {@link
 * #close} waits for nothing: callers must not close a model others still use.
 */
final class OnnxModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxModel.class);
  private static final AtomicBoolean CUDA_FALLBACK_LOGGED = new AtomicBoolean();

  final String name;
  final String fingerprint;
  final ModelInput input;
  final Map<String, long[]> outputs;
  final Map<String, String> metadata;
  final ExecutionProvider provider;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final OrtSession.SessionOptions sessionOptions;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OnnxModel(
      String name, byte[] bytes, ExecutionProvider wanted, int threads, String... requiredOutputs)
      throws UnreadableInputException {
    this.name = name;
    this.fingerprint = sha256(bytes);
    this.env = OrtEnvironment.getEnvironment();
    OrtSession s = null;
    OrtSession.SessionOptions opts = null;
    ExecutionProvider used = ExecutionProvider.CPU;
    try {
      if (wanted != ExecutionProvider.CPU) {
        CudaLibraries.preloadIfPresent();
        opts = options(threads);
        try {
          // getAvailableProviders() lists CUDA in the GPU artifact even without a GPU: only a
          // session that was actually created with it proves it works.
          opts.addCUDA(0);
          s = env.createSession(bytes, opts);
          used = ExecutionProvider.CUDA;
        } catch (OrtException | UnsatisfiedLinkError | IllegalArgumentException e) {
          opts.close();
          opts = null;
          String why =
              e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
          if (wanted == ExecutionProvider.CUDA) {
            throw new UnreadableInputException(
                null,
                "model "
                    + name
                    + ": ExecutionProvider.CUDA was asked for but the CUDA provider cannot be used ("
                    + why
                    + "); valid choices: AUTO (CUDA where it works, else the CPU) or CPU",
                e);
          }
          logFallback(why);
        }
      }
      if (s == null) {
        opts = options(threads);
        s = env.createSession(bytes, opts);
      }
      this.session = s;
      // ONNX Runtime's Javadoc: the options must outlive the session; both close in close().
      this.sessionOptions = opts;
      this.provider = used;
      this.metadata = Map.copyOf(s.getMetadata().getCustomMetadata());
      this.input = checkInput(s);
      this.outputs = checkOutputs(s, requiredOutputs);
    } catch (OrtException e) {
      closeQuietly(s, opts);
      throw new UnreadableInputException(
          null, "model " + name + " cannot be loaded: " + e.getMessage(), e);
    } catch (UnreadableInputException | RuntimeException e) {
      closeQuietly(s, opts);
      throw e;
    }
  }

  /** Says once per JVM that AUTO fell back to the CPU, loudly only where a GPU build is in use. */
  private static void logFallback(String why) {
    if (CUDA_FALLBACK_LOGGED.compareAndSet(false, true)) {
      // The CPU artifact has no CUDA provider at all: nothing a user needs to hear about. The GPU
      // artifact that fails to start CUDA deserves a line.
      if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
        LOG.info("ONNX Runtime CUDA provider unavailable ({}); running on the CPU", why);
      } else {
        LOG.debug("ONNX Runtime CPU build, no CUDA provider ({}); running on the CPU", why);
      }
    }
  }

  /** The model the options name (their file, or the shipped resource) with these outputs. */
  static OnnxModel load(OnnxOptions o, String shippedResource, String... outputs)
      throws IOException {
    return o.model() == null
        ? loadResource(shippedResource, o.provider(), o.intraOpThreads(), outputs)
        : load(o.model(), o.provider(), o.intraOpThreads(), outputs);
  }

  static OnnxModel load(Path file, ExecutionProvider provider, int threads, String... outputs)
      throws IOException {
    return new OnnxModel(file.toString(), Files.readAllBytes(file), provider, threads, outputs);
  }

  static OnnxModel loadResource(
      String resource, ExecutionProvider provider, int threads, String... outputs)
      throws IOException {
    try (InputStream in = OnnxModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("shipped model " + resource + " is missing from the class path");
      }
      return new OnnxModel(resource, in.readAllBytes(), provider, threads, outputs);
    }
  }

  private static OrtSession.SessionOptions options(int threads) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    o.setIntraOpNumThreads(threads);
    o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    return o;
  }

  private ModelInput checkInput(OrtSession s) throws OrtException, UnreadableInputException {
    Map<String, NodeInfo> inputs = s.getInputInfo();
    NodeInfo in = inputs.get("input");
    if (in == null || inputs.size() != 1) {
      throw new UnreadableInputException(
          null,
          "model " + name + " must have one input named" + " 'input', has " + inputs.keySet());
    }
    long[] shape = ((TensorInfo) in.getInfo()).getShape();
    if (shape.length != 4 || shape[1] != 1 || shape[2] <= 0 || shape[2] != shape[3]) {
      throw new UnreadableInputException(
          null, "model " + name + " input must be [N,1,S,S]," + " is " + Arrays.toString(shape));
    }
    String spacing = metadata.get("cbmir.pixel_spacing_mm");
    if (spacing == null) {
      throw new UnreadableInputException(
          null,
          "model "
              + name
              + " lacks the metadata entry"
              + " cbmir.pixel_spacing_mm (the pixel spacing it was trained at); has "
              + metadata.keySet());
    }
    try {
      return new ModelInput((int) shape[2], Double.parseDouble(spacing));
    } catch (IllegalArgumentException e) {
      throw new UnreadableInputException(
          null, "model " + name + " has invalid geometry: " + e.getMessage());
    }
  }

  private Map<String, long[]> checkOutputs(OrtSession s, String... required)
      throws OrtException, UnreadableInputException {
    Map<String, NodeInfo> info = s.getOutputInfo();
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String r : required) {
      NodeInfo n = info.get(r);
      if (n == null) {
        throw new UnreadableInputException(
            null,
            "model "
                + name
                + " has no output '"
                + r
                + "'; outputs: "
                + info.keySet()
                + ", required: "
                + Arrays.toString(required));
      }
      out.put(r, ((TensorInfo) n.getInfo()).getShape());
    }
    return out;
  }

  /** Runs a batch of model-grid images ({@code size * size} HU each) and returns each output. */
  Map<String, float[]> run(float[][] images) {
    if (closed.get()) {
      throw new IllegalStateException("model " + name + " is closed");
    }
    int n = images.length;
    int px = input.size() * input.size();
    FloatBuffer buf = FloatBuffer.allocate(n * px);
    for (float[] img : images) {
      buf.put(img, 0, px);
    }
    buf.flip();
    try (OnnxTensor t =
            OnnxTensor.createTensor(env, buf, new long[] {n, 1, input.size(), input.size()});
        OrtSession.Result r = session.run(Map.of("input", t))) {
      Map<String, float[]> out = new LinkedHashMap<>();
      for (String o : outputs.keySet()) {
        OnnxTensor v = (OnnxTensor) r.get(o).orElseThrow();
        FloatBuffer fb = v.getFloatBuffer();
        float[] a = new float[fb.remaining()];
        fb.get(a);
        out.put(o, a);
      }
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("model " + name + " failed to run: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeQuietly(session, sessionOptions);
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Closes a session, then its options (either may be null). */
  private static void closeQuietly(OrtSession s, OrtSession.SessionOptions opts) {
    try {
      if (s != null) {
        s.close();
      }
    } catch (OrtException e) {
      LOG.warn("closing an ONNX Runtime session failed", e);
    } finally {
      if (opts != null) {
        opts.close();
      }
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
