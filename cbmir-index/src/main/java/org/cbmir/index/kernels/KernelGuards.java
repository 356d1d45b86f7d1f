package org.cbmir.index.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.PlatformManagedObject;
import java.util.List;
import java.util.Locale;

/**
 * What the kernels may assume about the JVM and the CPU, after Lucene's checks before it turns on
 * its Vector API code: whether fused multiply-add is done in hardware (in software it is a hundred
 * times slower than a multiply and an add), whether the optimising compiler runs (without it the
 * Vector API is interpreted, far slower than scalar code), and which vector width the kernels use.
 * Read once, when the kernels are first used.
 *
 * <p>System properties: {@value #FMA_PROPERTY} ({@code auto}, {@code true}, {@code false}) and, for
 * testing, {@value #VECTOR_BITS_PROPERTY} (128, 256 or 512; default: the CPU's preferred width).
 *
 * <p>Thread-safety: immutable after class initialisation.
 */
public final class KernelGuards {
  /** Forces fused multiply-add on or off: auto (default), true or false. */
  public static final String FMA_PROPERTY = "cbmir.fma";

  /** For tests: the vector width the Vector API kernels use, in bits (128, 256 or 512). */
  public static final String VECTOR_BITS_PROPERTY = "cbmir.vectorBits";

  /** Whether kernels use {@link Math#fma} and {@code FloatVector.fma}. */
  static final boolean FAST_FMA = fastFma();

  /** The vector width asked for, or 0 for the CPU's preferred one. */
  static final int VECTOR_BITS = vectorBits();

  private KernelGuards() {}

  /** Whether the kernels use fused multiply-add (see {@value #FMA_PROPERTY}). */
  public static boolean fastFma() {
    String v = System.getProperty(FMA_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      case "auto" -> !"false".equals(hotSpotOption("UseFMA"));
      default ->
          throw new IllegalStateException(
              "unknown value '" + v + "' for -D" + FMA_PROPERTY + "; valid: auto, true, false");
    };
  }

  /** {@code a * b + c}, fused where the hardware fuses it. */
  static float fma(float a, float b, float c) {
    return FAST_FMA ? Math.fma(a, b, c) : a * b + c;
  }

  private static int vectorBits() {
    String v = System.getProperty(VECTOR_BITS_PROPERTY, "").trim();
    if (v.isEmpty()) {
      return 0;
    }
    return switch (v) {
      case "128", "256", "512" -> Integer.parseInt(v);
      default ->
          throw new IllegalStateException(
              "unknown value '" + v + "' for -D" + VECTOR_BITS_PROPERTY + "; valid: 128, 256, 512");
    };
  }

  /**
   * Why the optimising compiler does not run in this JVM, or null when it does: the Vector API is
   * only fast once C2 compiles it.
   */
  static String compilerProblem() {
    List<String> args;
    try {
      args = ManagementFactory.getRuntimeMXBean().getInputArguments();
    } catch (RuntimeException | LinkageError e) {
      return null; // no management module: assume a standard JVM
    }
    for (String a : args) {
      if (a.equals("-Xint") || a.equals("-XX:-UseCompiler")) {
        return "the JVM runs with " + a;
      }
      if (a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4")) {
        return "the JVM runs with " + a + " (the Vector API needs C2, level 4)";
      }
    }
    return null;
  }

  /**
   * A HotSpot VM option's value, or null where the JVM does not say (another JVM, or no {@code
   * jdk.management} module). Reflection keeps the HotSpot-specific interface out of the linkage.
   */
  private static String hotSpotOption(String name) {
    try {
      Class<?> bean = Class.forName("com.sun.management.HotSpotDiagnosticMXBean");
      Object mx = ManagementFactory.getPlatformMXBean(bean.asSubclass(PlatformManagedObject.class));
      Object option = bean.getMethod("getVMOption", String.class).invoke(mx, name);
      return String.valueOf(option.getClass().getMethod("getValue").invoke(option));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }
}
