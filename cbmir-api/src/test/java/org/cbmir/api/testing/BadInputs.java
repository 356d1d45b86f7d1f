package org.cbmir.api.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cbmir.api.CbmirException;

/**
 * A catalogue of bad inputs and the message each gives: every case must fail with an exception of a
 * documented kind (a {@link CbmirException}, {@link IllegalArgumentException}, {@link
 * IllegalStateException} or {@link IOException}) whose message mentions the file or value. The rows
 * become the table of RELIABILITY.md.
 *
 * <p>Thread-safety: not thread-safe; one per test.
 */
public final class BadInputs {
  /** A call that must fail. */
  @FunctionalInterface
  public interface Bad {
    /** Runs the call. */
    void run() throws Exception;
  }

  private final String area;
  private final String name;
  private final Path tempDir;
  private final List<String> rows = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  /**
   * Cases of one area (its label in the table), written to {@code bad-inputs-<name>.md}; paths
   * under {@code tempDir} are written as DIR.
   */
  public BadInputs(String area, String name, Path tempDir) {
    this.area = area;
    this.name = name;
    this.tempDir = tempDir;
  }

  /** Records one case: {@code bad} must fail with a message that contains {@code mentions}. */
  public void expect(String input, String mentions, Bad bad) {
    try {
      bad.run();
      problems.add(input + ": accepted");
    } catch (Exception e) {
      String m = e.getMessage() == null ? "" : e.getMessage();
      boolean kind =
          e instanceof CbmirException
              || e instanceof IllegalArgumentException
              || e instanceof IOException
              || e instanceof IllegalStateException;
      if (!kind || !m.contains(mentions)) {
        problems.add(
            input
                + ": "
                + e.getClass().getSimpleName()
                + " '"
                + m
                + "' (expected it to mention '"
                + mentions
                + "')");
      }
      rows.add(
          "| "
              + area
              + " | "
              + input
              + " | "
              + e.getClass().getSimpleName()
              + " | "
              + m.replace("|", "\\|").replace("\n", " ").replace(tempDir.toString(), "DIR")
              + " |");
    }
  }

  /**
   * Writes the table rows to {@code target/robustness/bad-inputs-<name>.md}, prints the count and
   * returns the cases without a clear message (empty when all are clear).
   */
  public List<String> finish() throws IOException {
    Path out = Path.of("target", "robustness");
    Files.createDirectories(out);
    Files.writeString(out.resolve("bad-inputs-" + name + ".md"), String.join("\n", rows) + "\n");
    System.out.println(
        "robustness bad inputs ("
            + name
            + "): "
            + rows.size()
            + " cases, "
            + problems.size()
            + " without a clear message");
    return problems;
  }
}
