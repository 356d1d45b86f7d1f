package org.cbmir.onnx;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads CUDA 12 and cuDNN 9 from JavaCPP's redistributable jars, when the application has them on
 * the class path, before ONNX Runtime's CUDA provider looks for them; then no system-wide CUDA
 * install is needed. The jars are an optional dependency, found by reflection:
 *
 * <pre>
 * org.bytedeco:cuda-platform-redist   (CUDA runtime, cuBLAS, cuFFT, cuRAND, cuDNN; several GB)
 * </pre>
 *
 * <p>JavaCPP extracts the libraries to its cache and loads them into the process; ONNX Runtime's
 * later {@code dlopen} of the same libraries by name then finds them already loaded. Without the
 * jars this does nothing, and ONNX Runtime uses the system's CUDA, if any.
 *
 * <p>Thread-safety: thread-safe; the preload runs at most once per JVM.
 */
final class CudaLibraries {
  private static final Logger LOG = LoggerFactory.getLogger(CudaLibraries.class);
  private static final AtomicBoolean TRIED = new AtomicBoolean();
  private static final String[] PRESETS = {
    "org.bytedeco.cuda.global.cudart", "org.bytedeco.cuda.global.cublas",
    "org.bytedeco.cuda.global.cufft", "org.bytedeco.cuda.global.curand",
    "org.bytedeco.cuda.global.cudnn"
  };

  private CudaLibraries() {}

  /** Loads the redistributable CUDA libraries once, if JavaCPP and its CUDA presets are present. */
  static void preloadIfPresent() {
    if (!TRIED.compareAndSet(false, true)) {
      return;
    }
    Class<?> loader;
    try {
      loader = Class.forName("org.bytedeco.javacpp.Loader");
    } catch (ClassNotFoundException e) {
      LOG.debug("JavaCPP not on the class path: relying on a system CUDA install, if any");
      return;
    }
    for (String preset : PRESETS) {
      try {
        Class<?> c = Class.forName(preset);
        loader.getMethod("load", Class.class).invoke(null, c);
      } catch (ReflectiveOperationException | LinkageError e) {
        LOG.info("could not preload CUDA library {} from JavaCPP: {}", preset, e.toString());
        return;
      }
    }
    LOG.info("loaded CUDA and cuDNN from JavaCPP's redistributable jars");
  }
}
