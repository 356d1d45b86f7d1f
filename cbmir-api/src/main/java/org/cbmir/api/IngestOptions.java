package org.cbmir.api;

import java.util.Objects;

/**
 * How {@link SimilarCaseSearch#ingest(java.nio.file.Path, IngestOptions)} treats what it reads.
 *
 * <pre>{@code
 * IngestOptions options = IngestOptions.builder()
 *     .listener(myProgressBar)
 *     .replaceIndexedSeries()            // re-read series replace their old slices
 *     .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable.
 *
 * @param listener progress of reading and encoding, and files or series skipped
 * @param duplicates what to do with a series whose UID the index already holds
 */
public record IngestOptions(ProgressListener listener, DuplicateSeries duplicates) {

  /** What to do with a series the index already holds (same series UID, after the policy). */
  public enum DuplicateSeries {
    /** Keep the indexed slices and skip the series (the default): ingesting twice is harmless. */
    SKIP,
    /** Remove the indexed slices, then add the series as read now. */
    REPLACE
  }

  /** Checks the fields; prefer {@link #builder()}. */
  public IngestOptions {
    Objects.requireNonNull(listener, "listener (use ProgressListener.NONE)");
    Objects.requireNonNull(duplicates, "duplicates; valid choices: SKIP, REPLACE");
  }

  /** No listener, already indexed series skipped. */
  public static IngestOptions defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link IngestOptions}. Not thread-safe. */
  public static final class Builder {
    private ProgressListener listener = ProgressListener.NONE;
    private DuplicateSeries duplicates = DuplicateSeries.SKIP;

    private Builder() {}

    /** Where progress and skipped files go (default: nowhere). */
    public Builder listener(ProgressListener listener) {
      this.listener = listener;
      return this;
    }

    /** Series already in the index are skipped (the default). */
    public Builder skipIndexedSeries() {
      this.duplicates = DuplicateSeries.SKIP;
      return this;
    }

    /** Series already in the index replace their indexed slices. */
    public Builder replaceIndexedSeries() {
      this.duplicates = DuplicateSeries.REPLACE;
      return this;
    }

    /** Builds the options. */
    public IngestOptions build() {
      return new IngestOptions(listener, duplicates);
    }
  }
}
