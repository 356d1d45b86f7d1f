package org.cbmir.data;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates {@code ../shared/data}; tests that need it are skipped, with a message, without it. */
final class SharedData {
  private SharedData() {}

  static Path root() {
    String prop = System.getProperty("cbmir.shared.data");
    String env = System.getenv("CBMIR_SHARED_DATA");
    Path p = Path.of(prop != null ? prop : env != null ? env : "../shared/data");
    Assumptions.assumeTrue(Files.isDirectory(p.resolve("lidc-idri")),
        "real CT data not found at " + p.toAbsolutePath()
            + " (set -Dcbmir.shared.data or CBMIR_SHARED_DATA); skipping real-data test");
    return p;
  }
}
