package org.cbmir.index.kernels;

import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facade over the index's hot loops, after Lucene's {@code VectorUtil}: one implementation is
 * chosen when this class is first used, logged once, and used for the JVM's lifetime.
 *
 * <p>The Vector API implementation is chosen when the JVM runs with {@code --add-modules
 * jdk.incubator.vector} and its optimising compiler runs; otherwise the scalar one, with an INFO
 * line saying why. Both use fused multiply-add only where the hardware has it ({@link
 * KernelGuards}). The system property {@value #PROPERTY} forces a choice: {@code auto} (default),
 * {@code panama} or {@code scalar}.
 *
 * <pre>{@code
 * int matches = Kernels.radiusScan(codes, 1, 0, n, query, 0, 4, ordinals, distances);
 * float d2 = Kernels.squareDistance(a, 0, b, 0, 256);
 * }</pre>
 *
 * <p>Thread-safety: all methods are thread-safe.
 */
public final class Kernels {
  /** System property that forces the implementation: auto, panama or scalar. */
  public static final String PROPERTY = "cbmir.vectorization";

  private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
  private static final KernelSupport IMPL = choose();

  private Kernels() {}

  /** The implementation in use. */
  public static KernelSupport implementation() {
    return IMPL;
  }

  /** The scalar reference implementation. */
  public static KernelSupport scalar() {
    return ScalarKernels.INSTANCE;
  }

  /** The Vector API implementation, when the JVM has the module. */
  public static Optional<KernelSupport> panama() {
    return vectorModulePresent() ? Optional.of(loadPanama()) : Optional.empty();
  }

  /** See {@link KernelSupport#radiusScan}. */
  public static int radiusScan(
      long[] codes,
      int words,
      int from,
      int to,
      long[] query,
      int queryOffset,
      int radius,
      int[] outOrdinals,
      int[] outDistances) {
    return IMPL.radiusScan(
        codes, words, from, to, query, queryOffset, radius, outOrdinals, outDistances);
  }

  /** See {@link KernelSupport#distance}: the one Hamming distance of the index. */
  public static int distance(long[] codes, int words, int ordinal, long[] query, int queryOffset) {
    return IMPL.distance(codes, words, ordinal, query, queryOffset);
  }

  /** See {@link KernelSupport#squareDistance}. */
  public static float squareDistance(float[] a, int aOffset, float[] b, int bOffset, int dim) {
    return IMPL.squareDistance(a, aOffset, b, bOffset, dim);
  }

  /** {@link KernelSupport#dotInt8} with the chosen implementation. */
  public static float dotInt8(float[] a, int aOffset, byte[] b, int bOffset, int dim) {
    return IMPL.dotInt8(a, aOffset, b, bOffset, dim);
  }

  /** {@link KernelSupport#squareDistanceF16} with the chosen implementation. */
  public static float squareDistanceF16(float[] a, int aOffset, short[] b, int bOffset, int dim) {
    return IMPL.squareDistanceF16(a, aOffset, b, bOffset, dim);
  }

  private static boolean vectorModulePresent() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  private static KernelSupport loadPanama() {
    // Reflection keeps PanamaKernels (and so jdk.incubator.vector) out of this class's constant
    // pool: the JVM must not try to link it when the module is absent.
    try {
      Class<?> c = Class.forName("org.cbmir.index.kernels.PanamaKernels");
      return (KernelSupport) c.getDeclaredField("INSTANCE").get(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException("cannot load the Vector API kernels", e);
    }
  }

  private static KernelSupport choose() {
    String wanted = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    switch (wanted) {
      case "scalar" -> {
        LOG.info("cbmir kernels: scalar (forced by -D{}=scalar)", PROPERTY);
        return ScalarKernels.INSTANCE;
      }
      case "panama" -> {
        if (!vectorModulePresent()) {
          throw new IllegalStateException(
              "-D"
                  + PROPERTY
                  + "=panama needs the JVM option"
                  + " --add-modules jdk.incubator.vector");
        }
        KernelSupport k = loadPanama();
        LOG.info("cbmir kernels: panama (forced)");
        return k;
      }
      case "auto" -> {
        String slow = KernelGuards.compilerProblem();
        if (vectorModulePresent() && slow != null) {
          LOG.info("cbmir kernels: scalar; the Vector API would be slower here: {}", slow);
          return ScalarKernels.INSTANCE;
        }
        if (vectorModulePresent()) {
          try {
            KernelSupport k = loadPanama();
            LOG.info("cbmir kernels: {}", k);
            return k;
          } catch (IllegalStateException e) {
            LOG.warn("cbmir kernels: Vector API present but unusable, using scalar kernels", e);
            return ScalarKernels.INSTANCE;
          }
        }
        LOG.info(
            "cbmir kernels: scalar; add the JVM option --add-modules jdk.incubator.vector"
                + " for the faster Vector API kernels");
        return ScalarKernels.INSTANCE;
      }
      default ->
          throw new IllegalStateException(
              "unknown value '"
                  + wanted
                  + "' for -D"
                  + PROPERTY
                  + "; valid values: auto, panama, scalar");
    }
  }
}
