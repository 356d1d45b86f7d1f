package org.cbmir.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input on the command line: a clear one-line message and a non-zero exit code. */
class CliTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Cli.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsTheCommands() {
    Run r = run("--help");
    assertEquals(0, r.code());
    assertTrue(
        r.out().contains("index") && r.out().contains("search") && r.out().contains("evaluate"),
        r.out());
  }

  @Test
  void fileErrorsSayWhatIsWrongWithWhichFile() {
    assertEquals(
        "/x.cbmir: no such file or folder",
        Cli.describe(new java.nio.file.NoSuchFileException("/x.cbmir")));
    assertEquals(
        "/root/a: permission denied",
        Cli.describe(new java.nio.file.AccessDeniedException("/root/a")));
    assertEquals(
        "/x.cbmir: no index file there",
        Cli.describe(
            new java.nio.file.NoSuchFileException("/x.cbmir", null, "no index file there")));
    assertEquals("NullPointerException", Cli.describe(new NullPointerException()));
  }

  @Test
  void badInputGivesAMessageNotAStackTrace() throws IOException {
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    Run r = run("index", empty.toString(), "--out", dir.resolve("x.cbmir").toString());
    assertTrue(r.code() != 0);
    assertTrue(r.err().startsWith("error: ") && r.err().contains("empty"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());

    Path notCt = dir.resolve("note.dcm");
    Files.writeString(notCt, "not an image");
    Path index = dir.resolve("i.cbmir");
    Files.writeString(index, "not an index either");
    Run s = run("search", notCt.toString(), "--index", index.toString());
    assertTrue(s.code() != 0);
    assertTrue(s.err().startsWith("error: ") && s.err().contains("not a cbmir index"), s.err());
    assertFalse(s.err().contains("\tat "), s.err());

    Path good = dir.resolve("good.cbmir");
    try (org.cbmir.api.Encoder enc = org.cbmir.api.Models.encoder();
        var idx =
            org.cbmir.api.RetrievalIndexes.create(
                org.cbmir.api.IndexConfig.builder().matching(enc).build())) {
      idx.save(good);
    }
    Run notImage = run("search", notCt.toString(), "--index", good.toString());
    assertTrue(notImage.code() != 0);
    assertTrue(
        notImage.err().startsWith("error: ") && notImage.err().contains("note.dcm"),
        notImage.err());

    // An index built with another model is refused by name before any work.
    Path other = dir.resolve("other.cbmir");
    try (var idx =
        org.cbmir.api.RetrievalIndexes.create(
            org.cbmir.api.IndexConfig.builder()
                .bits(64)
                .featureDimension(256)
                .modelFingerprint("another-model")
                .build())) {
      idx.save(other);
    }
    Run mismatch = run("search", notCt.toString(), "--index", other.toString());
    assertTrue(mismatch.code() != 0);
    assertTrue(
        mismatch.err().contains("another-model") && mismatch.err().contains("re-index"),
        mismatch.err());

    Run unknown = run("frobnicate");
    assertTrue(unknown.code() != 0);
    assertTrue(unknown.err().contains("frobnicate"), unknown.err());

    Run missing = run("evaluate", "--data", dir.resolve("nope").toString());
    assertTrue(missing.code() != 0);
    assertTrue(missing.err().contains("no data folder"), missing.err());
  }
}
