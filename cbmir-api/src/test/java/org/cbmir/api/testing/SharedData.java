package org.cbmir.api.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the real CT of {@code ../shared/data} ({@code -Dcbmir.shared.data}, else {@code
 * CBMIR_SHARED_DATA}, else {@code ../shared/data}) for every module's real-data tests; they are
 * skipped, with a message, without it.
 *
 * <p>Thread-safety: stateless.
 */
public final class SharedData {
  private SharedData() {}

  /** The data folder, or {@code null} when it is absent. */
  public static Path find() {
    String prop = System.getProperty("cbmir.shared.data");
    String env = System.getenv("CBMIR_SHARED_DATA");
    Path p = Path.of(prop != null ? prop : env != null ? env : "../shared/data");
    return Files.isDirectory(p.resolve("lidc-idri")) ? p : null;
  }

  /** The data folder; skips the calling test, with a message, when it is absent. */
  public static Path require() {
    Path found = find();
    assume(found);
    return found;
  }

  /** Skips the calling test, with a message, when the data is absent. */
  public static void assume(Path found) {
    Assumptions.assumeTrue(
        found != null,
        "real CT data not found at "
            + Path.of(System.getProperty("cbmir.shared.data", "../shared/data")).toAbsolutePath()
            + " (set -Dcbmir.shared.data or CBMIR_SHARED_DATA); skipping real-data test");
  }
}
