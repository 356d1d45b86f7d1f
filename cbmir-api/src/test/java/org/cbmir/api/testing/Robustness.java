package org.cbmir.api.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * The size and seed of the robustness suite, shared by the modules' tests through the {@code
 * cbmir-api} test jar. {@code mvn -B verify} runs each part for a bounded number of trials (a
 * minute or two in all); {@code -Pfuzz} runs the long counts that RELIABILITY.md quotes, and {@code
 * -Dcbmir.robustness.scale=N} multiplies either. Each part prints its counts and appends them to
 * {@code target/robustness/summary.txt}, from which RELIABILITY.md takes its figures.
 *
 * <p>Thread-safety: stateless; {@link #report} is called from test threads one at a time.
 */
public final class Robustness {
  /** Whether the long counts run ({@code -Pfuzz}). */
  public static final boolean FUZZ = Boolean.getBoolean("cbmir.robustness.fuzz");

  /** Multiplier of every trial count; 1 unless set. */
  public static final double SCALE =
      Double.parseDouble(System.getProperty("cbmir.robustness.scale", "1"));

  /**
   * Seed of every random choice: {@code -Dcbmir.test.seed=N} replays a run, {@code
   * -Dcbmir.test.seed=random} tries new inputs (the seed drawn is printed, and {@link SeedReporter}
   * repeats it beside every failure); fixed otherwise, so that the build is reproducible.
   */
  public static final long SEED = seed(System.getProperty(SeedReporter.PROPERTY, "20261129"));

  private static long seed(String value) {
    if (value.trim().equalsIgnoreCase("random")) {
      long s = new SecureRandom().nextLong();
      System.out.println(
          "cbmir test seed " + s + " (replay with -D" + SeedReporter.PROPERTY + "=" + s + ")");
      return s;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "-D" + SeedReporter.PROPERTY + "=" + value + ": expected a number or 'random'", e);
    }
  }

  private Robustness() {}

  /** Trials of one part: {@code normal} in the build, {@code fuzz} with -Pfuzz; times the scale. */
  public static int trials(int normal, int fuzz) {
    return (int) Math.max(1, Math.round((FUZZ ? fuzz : normal) * SCALE));
  }

  public static void report(String part, String figures) {
    String line =
        part + " (seed " + SEED + (FUZZ ? ", -Pfuzz" : "") + ", scale " + SCALE + "): " + figures;
    System.out.println("robustness " + line);
    try {
      Path dir = Path.of("target", "robustness");
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("summary.txt"),
          line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
