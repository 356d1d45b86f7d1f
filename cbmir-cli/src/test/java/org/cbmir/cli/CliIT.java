package org.cbmir.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cbmir.data.ThoraxPhantom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a user runs it: the {@code ./cbmir} launcher starting the shaded jar in its
 * own JVM, on phantoms in a folder whose name holds a space.
 */
class CliIT {
  @TempDir static Path dir;
  static Path archive;

  private record Run(int code, String out, String err) {}

  private static Run cbmir(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("cbmir.launcher", "../cbmir"));
    command.addAll(List.of(args));
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "cbmir " + String.join(" ", args) + " finished");
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  @BeforeAll
  static void phantoms() throws IOException {
    List<ThoraxPhantom.Result> patients = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      patients.add(
          ThoraxPhantom.builder()
              .seed(70 + p)
              .size(192)
              .pixelSpacingMm(1.8)
              .slices(10, 5)
              .patientId("PH" + p)
              .addNodule(12 + 4 * p)
              .build());
    }
    archive = ThoraxPhantom.writeArchive(dir.resolve("my archive"), patients);
  }

  @Test
  void indexSearchAndInfoThroughTheLauncher() throws Exception {
    Run help = cbmir("--help");
    assertEquals(0, help.code(), help.err());
    assertTrue(
        help.out().contains("export-dataset") && help.out().contains("Exit codes"), help.out());

    Path index = dir.resolve("new folder/sub/phantoms.cbmir");
    Run idx = cbmir("index", archive.toString(), "--out", index.toString(), "--quiet");
    assertEquals(0, idx.code(), idx.err());
    assertTrue(idx.out().contains("indexed 30 slices of 3 series"), idx.out());
    assertTrue(Files.isRegularFile(index), "parent folders created, index saved");

    Run again = cbmir("index", archive.toString(), "--out", index.toString(), "--append", "-q");
    assertEquals(0, again.code(), again.err());
    assertTrue(
        again.out().contains("3 series were already indexed and skipped")
            && again.out().contains("(30 slices in all)"),
        again.out());

    Run search =
        cbmir(
            "search",
            archive.resolve("PH1.mhd").toString(),
            "--slice",
            "5",
            "--index",
            index.toString(),
            "-k",
            "4",
            "--html",
            dir.resolve("top.html").toString(),
            "--archive",
            archive.toString());
    assertEquals(0, search.code(), search.err());
    String[] lines = search.out().split("\n");
    assertTrue(lines[0].startsWith("query PH1 slice 5, z "), lines[0]);
    assertTrue(search.out().contains("1    PH1"), "the slice itself first:\n" + search.out());
    assertTrue(search.out().contains("Hamming: bits"), search.out());
    String page = Files.readString(dir.resolve("top.html"));
    assertEquals(
        5, page.split("data:image/png", -1).length - 1 - zooms(page), "query and four hits drawn");

    Run info = cbmir("info", index.toString());
    assertEquals(0, info.code(), info.err());
    assertTrue(
        info.out().contains("slices:   30 (0 removed)")
            && info.out().contains("patients: 3")
            && info.out().contains("(the shipped encoder)"),
        info.out());

    Run noSlice =
        cbmir("search", archive.resolve("PH1.mhd").toString(), "--index", index.toString());
    assertEquals(1, noSlice.code());
    assertTrue(
        noSlice.err().contains("error: ") && noSlice.err().contains("--slice 0..9"), noSlice.err());

    Run missing = cbmir("info", dir.resolve("nope.cbmir").toString());
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("nope.cbmir: no index file there"), missing.err());

    Run usage = cbmir("search", "--frobnicate");
    assertEquals(2, usage.code());
    assertEquals(1, usage.err().lines().filter(l -> l.startsWith("error: ")).count(), usage.err());
  }

  private static int zooms(String page) {
    return page.split("alt=\"zoom\"", -1).length - 1;
  }
}
