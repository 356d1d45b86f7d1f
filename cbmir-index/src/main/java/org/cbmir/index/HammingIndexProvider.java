package org.cbmir.index;

import java.io.IOException;
import java.nio.file.Path;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.OpenOptions;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexProvider;

/**
 * Registers {@link HammingRetrievalIndex} with {@link org.cbmir.api.RetrievalIndexes} through
 * {@link java.util.ServiceLoader}.
 *
 * <p>Thread-safety: stateless and thread-safe.
 */
public final class HammingIndexProvider implements RetrievalIndexProvider {

  /** Called by {@link java.util.ServiceLoader}. */
  public HammingIndexProvider() {}

  @Override
  public String name() {
    return "hamming";
  }

  @Override
  public RetrievalIndex create(IndexConfig config) {
    return new HammingRetrievalIndex(config);
  }

  @Override
  public RetrievalIndex open(Path file, String expectedFingerprint) throws IOException {
    return IndexFile.read(file, expectedFingerprint);
  }

  @Override
  public RetrievalIndex open(Path file, OpenOptions options) throws IOException {
    String fingerprint = options.modelFingerprint().orElse(null);
    return options.memoryMapped()
        ? IndexFile.map(file, fingerprint, options.checksums())
        : IndexFile.read(file, fingerprint);
  }
}
