package org.cbmir.api;

import java.util.Objects;
import java.util.Optional;

/**
 * How {@link RetrievalIndexes#open(java.nio.file.Path, OpenOptions)} opens a saved index: which
 * model it must come from, whether its file is read into memory or memory-mapped, and when its
 * checksums are verified.
 *
 * <pre>{@code
 * // Serve a large archive straight from the file: opens in a fraction of a second, whatever its size.
 * OpenOptions mapped = OpenOptions.builder().modelFingerprint(encoder.modelFingerprint())
 *     .memoryMapped().build();
 * try (RetrievalIndex index = RetrievalIndexes.open(Path.of("archive.cbmir"), mapped)) {
 *   SearchResult r = index.search(query, SearchRequest.defaults());
 * }
 * }</pre>
 *
 * <p><b>In memory</b> (the default): the whole file is read and checked, and the index accepts
 * adds. <b>Memory-mapped</b>: the feature rows and slice references stay in the file and the
 * operating system pages them in as searches touch them; only the hash codes (8 bytes a slice at 64
 * bits), the series list and the removed set are read. A mapped index is <em>read-only for
 * adds</em> ({@link RetrievalIndex#add} throws {@link UnsupportedOperationException}); removes and
 * saves work. cbmir never changes a saved file in place (a save writes a new file and renames it),
 * so saving over a mapped file is safe; a file truncated by another program while mapped makes the
 * next search fail with an {@link java.io.UncheckedIOException} whose cause is a {@link
 * CorruptIndexException}, never crash the JVM.
 *
 * <p>Thread-safety: immutable.
 *
 * @param modelFingerprint the model the index must have been built with, or empty to accept any
 *     (for tools that inspect indexes)
 * @param memoryMapped whether to map the file rather than read it
 * @param checksums when the sections' checksums are verified
 */
public record OpenOptions(
    Optional<String> modelFingerprint, boolean memoryMapped, Checksums checksums) {

  /**
   * When the checksums of an index file's sections are verified.
   *
   * <p>Thread-safety: enum constants are immutable.
   */
  public enum Checksums {
    /** Every section before the open returns: a damaged file fails the open. */
    AT_OPEN,
    /**
     * Each large section (feature rows, slice references) by the first operation that reads it, so
     * that opening costs no pass over the file; that operation fails with an {@link
     * java.io.UncheckedIOException} caused by a {@link CorruptIndexException} if the section is
     * damaged, and so does every later one. Small sections are still verified at open. Only for
     * memory-mapped indexes; their default.
     */
    ON_FIRST_USE
  }

  /** Checks the components; prefer {@link #builder()}. */
  public OpenOptions {
    Objects.requireNonNull(modelFingerprint, "modelFingerprint (Optional.empty() for any model)");
    Objects.requireNonNull(checksums, "checksums");
    if (checksums == Checksums.ON_FIRST_USE && !memoryMapped) {
      throw new IllegalArgumentException(
          "checksums ON_FIRST_USE needs a memory-mapped index"
              + " (an index read into memory is verified as it is read); valid choices here: AT_OPEN");
    }
  }

  /** A new builder; {@link Builder#modelFingerprint} or {@link Builder#anyModel} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds {@link OpenOptions}.
   *
   * <p>Thread-safety: not thread-safe.
   */
  public static final class Builder {
    private String fingerprint;
    private boolean anyModel;
    private boolean mapped;
    private Checksums checksums;

    private Builder() {}

    /** The index must have been built with this model ({@link ModelMismatchException} if not). */
    public Builder modelFingerprint(String fingerprint) {
      this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
      this.anyModel = false;
      return this;
    }

    /** Accept an index built with any model (for tools that inspect indexes). */
    public Builder anyModel() {
      this.fingerprint = null;
      this.anyModel = true;
      return this;
    }

    /** Map the file instead of reading it; the index is then read-only for adds. */
    public Builder memoryMapped() {
      this.mapped = true;
      return this;
    }

    /**
     * When checksums are verified; default {@link Checksums#ON_FIRST_USE} for a memory-mapped
     * index, {@link Checksums#AT_OPEN} otherwise.
     */
    public Builder checksums(Checksums when) {
      this.checksums = Objects.requireNonNull(when, "when");
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalStateException if neither {@link #modelFingerprint} nor {@link #anyModel} was
     *     called
     * @throws IllegalArgumentException if {@link Checksums#ON_FIRST_USE} was chosen without {@link
     *     #memoryMapped}
     */
    public OpenOptions build() {
      if (fingerprint == null && !anyModel) {
        throw new IllegalStateException(
            "say which model the index must come from:"
                + " modelFingerprint(encoder.modelFingerprint()) or anyModel()");
      }
      Checksums when =
          checksums != null ? checksums : mapped ? Checksums.ON_FIRST_USE : Checksums.AT_OPEN;
      return new OpenOptions(Optional.ofNullable(fingerprint), mapped, when);
    }
  }
}
