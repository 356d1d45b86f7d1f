package org.cbmir.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cbmir.api.Encoder;
import org.cbmir.api.Segmenter;
import org.cbmir.onnx.OnnxEncoder;
import org.cbmir.onnx.OnnxSegmenter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of one executor JVM: loaded on first use by the first task that needs them, shared by
 * every later task of the JVM (ONNX Runtime sessions are thread-safe), and closed when the JVM
 * shuts down. Loading a session costs about a second and a few hundred MB; once a task would
 * multiply both by the number of tasks.
 *
 * <p>Thread-safety: thread-safe.
 */
final class ExecutorModels {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);

  /**
   * Which models, and how to run them. Serializable: it travels from the driver to the tasks.
   *
   * @param segmenterModel a U-Net file on every executor, or null for the shipped one
   * @param encoderModel an InRes-Net file on every executor, or null for the shipped one
   * @param threads ONNX Runtime intra-op threads of each session
   */
  record Spec(String segmenterModel, String encoderModel, int threads) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** A loaded pair. */
  record Loaded(Segmenter segmenter, Encoder encoder) {}

  // Guarded by the class.
  private static final Map<Spec, Loaded> LOADED = new HashMap<>();
  private static boolean hooked;

  private ExecutorModels() {}

  /** The models for the spec, loaded now if this JVM has not yet. */
  static synchronized Loaded get(Spec spec) throws IOException {
    Loaded m = LOADED.get(spec);
    if (m != null) {
      return m;
    }
    OnnxSegmenter.Builder s = OnnxSegmenter.builder().intraOpThreads(spec.threads());
    OnnxEncoder.Builder e = OnnxEncoder.builder().intraOpThreads(spec.threads());
    if (spec.segmenterModel() != null) {
      s.model(Path.of(spec.segmenterModel()));
    }
    if (spec.encoderModel() != null) {
      e.model(Path.of(spec.encoderModel()));
    }
    Segmenter segmenter = s.build();
    try {
      m = new Loaded(segmenter, e.build());
    } catch (IOException | RuntimeException ex) {
      segmenter.close();
      throw ex;
    }
    LOADED.put(spec, m);
    if (!hooked) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(ExecutorModels::closeAll, "cbmir-spark-models-close"));
      hooked = true;
    }
    LOG.info(
        "loaded the models for this executor JVM ({} intra-op threads): {}",
        spec.threads(),
        m.encoder().shape());
    return m;
  }

  private static void closeAll() {
    List<Loaded> all;
    synchronized (ExecutorModels.class) {
      all = new ArrayList<>(LOADED.values());
      LOADED.clear();
    }
    for (Loaded m : all) {
      m.segmenter().close();
      m.encoder().close();
    }
  }
}
