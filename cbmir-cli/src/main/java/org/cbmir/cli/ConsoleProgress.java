package org.cbmir.cli;

import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.cbmir.api.CbmirException;
import org.cbmir.api.ProgressListener;

/**
 * Progress on standard error: a bar redrawn in place on a terminal; on a pipe or a log file, a line
 * every tenth of a step (and when it ends), so that logs stay readable.
 *
 * <p>Thread-safety: not thread-safe; one operation at a time, as {@link ProgressListener} is
 * called.
 */
final class ConsoleProgress implements ProgressListener {
  private static final int WIDTH = 30;
  private final PrintStream err;
  private final boolean terminal;
  private final boolean quiet;
  private ProgressListener.Step step;
  private long lastTenth = -1;
  private long lastDraw;
  private int skipped;

  ConsoleProgress(PrintStream err, boolean terminal, boolean quiet) {
    this.err = err;
    this.terminal = terminal;
    this.quiet = quiet;
  }

  /** Progress on {@code err}: a bar when the JVM runs on a terminal, lines otherwise. */
  static ConsoleProgress on(PrintStream err, boolean quiet) {
    return new ConsoleProgress(err, onTerminal(), quiet);
  }

  /**
   * Whether the JVM's standard streams are a terminal. Java 21 has no console without one; from
   * Java 22 on there always is one, and {@code Console.isTerminal()} (absent from Java 21, hence
   * the reflection) tells.
   */
  @SuppressWarnings("SystemConsoleNull") // the null check is for Java 21, isTerminal for 22+
  static boolean onTerminal() {
    Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** Files reported as skipped so far. */
  int skipped() {
    return skipped;
  }

  @Override
  public void progress(Progress p) {
    if (quiet) {
      return;
    }
    if (p.step() != step) {
      step = p.step();
      lastTenth = -1;
    }
    if (terminal) {
      long now = System.nanoTime();
      if (!p.isComplete() && now - lastDraw < 100_000_000L) {
        return; // at most ten redraws a second
      }
      lastDraw = now;
      int filled = p.total() == 0 ? WIDTH : (int) (p.done() * WIDTH / p.total());
      err.print("\r" + line(p, "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "));
      if (p.isComplete()) {
        err.println();
      }
    } else {
      long tenth = p.total() == 0 ? 10 : p.done() * 10 / p.total();
      if (tenth != lastTenth && (tenth > lastTenth || p.isComplete())) {
        lastTenth = tenth;
        err.println(line(p, ""));
      }
    }
  }

  private static String line(Progress p, String bar) {
    String eta =
        p.isComplete()
            ? "done in " + words(p.elapsed())
            : p.eta().map(d -> "about " + words(d) + " left").orElse("");
    return String.format(
        Locale.ROOT,
        "%-32s %s%d/%d  %.1f/s  %s",
        p.step().words(),
        bar,
        p.done(),
        p.total(),
        p.perSecond(),
        eta);
  }

  private static String words(Duration d) {
    long s = Math.max(0, Math.round(d.toMillis() / 1000.0));
    return s < 60 ? s + " s" : String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
  }

  @Override
  public void skipped(Path file, CbmirException reason) {
    skipped++;
    if (terminal) {
      err.print("\r");
    }
    err.println("skipped: " + reason.getMessage());
  }
}
