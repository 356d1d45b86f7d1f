package org.cbmir.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Progress of a long step (reading files, segmenting and encoding slices, saving an index) and the
 * files skipped on the way: one listener for everything {@link SimilarCaseSearch} does that takes
 * more than a moment.
 *
 * <pre>{@code
 * cbmir.ingest(archive, IngestOptions.builder()
 *     .listener(p -> System.err.printf("%s %d/%d%n", p.step().words(), p.done(), p.total()))
 *     .build());
 * }</pre>
 *
 * <p>Thread-safety: called on the thread doing the work, one call at a time; an implementation used
 * by one operation at a time needs no synchronisation.
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = p -> {};

  /** The steps that report progress, in the order an ingest runs them. */
  enum Step {
    /** Files looked at (DICOM files, MetaImage headers). */
    READ("reading files"),
    /** Slices segmented and encoded by the models. */
    ENCODE("segmenting and encoding slices"),
    /** Index files written. */
    SAVE("saving the index");

    private final String words;

    Step(String words) {
      this.words = words;
    }

    /** The step in words, for progress bars and logs. */
    public String words() {
      return words;
    }
  }

  /**
   * How far a step has come.
   *
   * @param step the step
   * @param done units done (files, slices), {@code 0 <= done <= total}
   * @param total units the step has in all
   * @param elapsed time since the step started
   */
  record Progress(Step step, long done, long total, Duration elapsed) {
    /** Checks the fields. */
    public Progress {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(elapsed, "elapsed");
      if (done < 0 || total < 0 || done > total) {
        throw new IllegalArgumentException(
            "expected 0 <= done <= total, got done " + done + " of " + total);
      }
    }

    /** Units per second so far; 0 before anything is done. */
    public double perSecond() {
      double s = elapsed.toNanos() / 1e9;
      return s > 0 ? done / s : 0;
    }

    /** Time left at the rate so far; empty before the first unit is done. */
    public Optional<Duration> eta() {
      if (done == 0) {
        return Optional.empty();
      }
      double left = (total - done) / perSecond();
      return Optional.of(Duration.ofMillis(Math.round(left * 1000)));
    }

    /** Whether the step is complete. */
    public boolean isComplete() {
      return done == total;
    }
  }

  /** A step has advanced. */
  void progress(Progress progress);

  /**
   * A file (or a series, named by the folder or file it came from) was skipped; the operation goes
   * on without it.
   */
  default void skipped(Path file, CbmirException reason) {}

  /**
   * This listener as a {@link VolumeReader}'s: the reader's file counts become {@link Step#READ}
   * progress, timed from this call; skipped files are passed on.
   */
  default VolumeReader.ReadListener reading() {
    long start = System.nanoTime();
    return new VolumeReader.ReadListener() {
      @Override
      public void progress(int done, int total) {
        ProgressListener.this.progress(
            new Progress(Step.READ, done, total, Duration.ofNanos(System.nanoTime() - start)));
      }

      @Override
      public void skipped(Path file, CbmirException reason) {
        ProgressListener.this.skipped(file, reason);
      }
    };
  }
}
