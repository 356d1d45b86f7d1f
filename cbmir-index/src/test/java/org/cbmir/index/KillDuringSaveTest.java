package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 during saves, in a child JVM ({@link SaveLoop}) that saves a growing index to one file
 * over and over: after each kill the file must open as one of the saved states, never a mix or a
 * torn file; the temporary files the kills leave are removed by the next save.
 */
@ExtendWith(SeedReporter.class)
class KillDuringSaveTest {
  @TempDir Path dir;

  @Test
  void aKilledSaveLeavesTheOldOrTheNewIndexAndTheNextSaveSweepsItsDebris() throws Exception {
    Path target = dir.resolve("killed.cbmir");
    Random rnd = new Random(Robustness.SEED);
    int kills = Robustness.trials(6, 50);
    int initial = 60_000;
    int intact = 0;
    int tempsSeen = 0;
    String java = ProcessHandle.current().info().command().orElse("java");
    for (int k = 0; k < kills; k++) {
      Process child =
          new ProcessBuilder(
                  java,
                  "-Xmx512m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  SaveLoop.class.getName(),
                  target.toString(),
                  String.valueOf(initial),
                  String.valueOf(rnd.nextLong()))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      AtomicInteger lastSaved = new AtomicInteger(-1);
      assertEquals("ready", out.readLine(), "child started");
      Thread reader =
          new Thread(
              () -> {
                try {
                  for (String l; (l = out.readLine()) != null; ) {
                    lastSaved.set(Integer.parseInt(l.substring("saved ".length())));
                  }
                } catch (IOException ignored) {
                  // the child was killed
                }
              });
      reader.start();
      // Let it save a few times, then kill it at a random moment of a save.
      Thread.sleep(300 + rnd.nextInt(1200));
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      reader.join();
      try (var files = Files.list(dir)) {
        tempsSeen +=
            (int) files.filter(p -> p.getFileName().toString().endsWith("cbmir-tmp")).count();
      }
      if (Files.exists(target)) {
        try (RetrievalIndex opened = RetrievalIndexes.open(target, TestData.MODEL)) {
          int n = opened.size();
          int last = lastSaved.get();
          // A whole saved state: initial + a multiple of the step, at most one save past the last
          // one the child reported.
          assertTrue(
              n > initial
                  && (n - initial) % SaveLoop.STEP == 0
                  && n <= Math.max(last, initial) + SaveLoop.STEP,
              "kill " + k + ": opened " + n + " slices, last reported save " + last);
          intact++;
        }
      }
    }
    // The next save (here, in this JVM) removes what the kills left.
    try (RetrievalIndex opened = RetrievalIndexes.open(target, TestData.MODEL)) {
      opened.save(target);
    }
    List<String> left;
    try (var files = Files.list(dir)) {
      left = files.map(p -> p.getFileName().toString()).toList();
    }
    assertEquals(List.of("killed.cbmir"), left, "no debris after the next save");
    Robustness.report(
        "kill -9 during save",
        kills
            + " kills of a child JVM saving a growing"
            + " index ("
            + initial
            + "+ slices, 64 bits, D = 64): the file opened intact as a saved"
            + " state after "
            + intact
            + " of "
            + kills
            + " kills (the others before the first save"
            + " finished); temporary files seen after kills: "
            + tempsSeen
            + "; left after the next"
            + " save: 0");
  }
}
