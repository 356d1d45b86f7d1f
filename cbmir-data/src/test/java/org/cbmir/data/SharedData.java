package org.cbmir.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates {@code ../shared/data}; tests that need it are skipped, with a message, without it. */
final class SharedData {
  private SharedData() {}

  /** The data folder, or {@code null} when it is absent. */
  static Path find() {
    String prop = System.getProperty("cbmir.shared.data");
    String env = System.getenv("CBMIR_SHARED_DATA");
    Path p = Path.of(prop != null ? prop : env != null ? env : "../shared/data");
    return Files.isDirectory(p.resolve("lidc-idri")) ? p : null;
  }

  /** Skips the calling test, with a message, when the data is absent. */
  static void assume(Path found) {
    Assumptions.assumeTrue(
        found != null,
        "real CT data not found at "
            + Path.of(System.getProperty("cbmir.shared.data", "../shared/data")).toAbsolutePath()
            + " (set -Dcbmir.shared.data or CBMIR_SHARED_DATA); skipping real-data test");
  }
}
