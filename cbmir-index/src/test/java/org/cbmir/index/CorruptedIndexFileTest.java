package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.OpenOptions;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection on saved index files: seeded bit flips, overwritten ranges, truncations, appended
 * and inserted bytes. Every damaged file must be refused with a {@link CorruptIndexException}
 * naming the file, or, when the damage changed nothing that matters, give exactly the original
 * answers; opened memory-mapped with checksums verified on first use, it may instead be refused by
 * its first search. A file that opens and answers differently is a silent wrong answer: the test
 * fails.
 */
@ExtendWith(SeedReporter.class)
class CorruptedIndexFileTest {
  @TempDir Path dir;

  @Test
  void everyDamagedFileIsRefusedOrHarmless() throws IOException {
    Random rnd = new Random(Robustness.SEED);
    int bits = 64;
    int dim = 16;
    Path original = dir.resolve("original.cbmir");
    List<Embedding> queries = new ArrayList<>();
    List<SearchResult> expected = new ArrayList<>();
    try (RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(bits)
                .featureDimension(dim)
                .modelFingerprint(TestData.MODEL)
                .build())) {
      for (int i = 0; i < 300; i++) {
        index.add(
            TestData.ref(i, 7),
            TestData.embedding(TestData.randomCode(rnd, bits), bits, TestData.features(rnd, dim)));
      }
      for (int i = 0; i < 300; i += 17) {
        index.remove(i);
      }
      index.save(original);
      for (int q = 0; q < 5; q++) {
        Embedding e =
            TestData.embedding(TestData.randomCode(rnd, bits), bits, TestData.features(rnd, dim));
        queries.add(e);
        expected.add(index.search(e, SearchRequest.builder().k(20).build()));
      }
    }
    byte[] good = Files.readAllBytes(original);
    int trials = Robustness.trials(2_000, 12_000);
    int[] refused = new int[6];
    int harmless = 0;
    int identical = 0;
    Path damaged = dir.resolve("damaged.cbmir");
    int lateRefusals = 0;
    for (int t = 0; t < trials; t++) {
      int kind = t % 6;
      byte[] bad = damage(good, kind, rnd);
      Files.write(damaged, bad);
      // The same file read into memory, mapped and verified at open, and mapped and verified on
      // first use: all three refuse it, or all answer as the original did.
      boolean refusedByHeap = false;
      for (OpenOptions how : HOW) {
        RetrievalIndex opened;
        try {
          opened = RetrievalIndexes.open(damaged, how);
        } catch (CorruptIndexException e) {
          assertTrue(e.getMessage().contains("damaged.cbmir"), "names the file: " + e.getMessage());
          if (how == HOW.get(0)) {
            refused[kind]++;
            refusedByHeap = true;
          }
          continue;
        } catch (RuntimeException | IOException | Error e) {
          throw new AssertionError(
              "trial " + t + " (" + KINDS[kind] + ", " + how + "):" + " unexpected " + e, e);
        }
        try (opened) {
          for (int q = 0; q < queries.size(); q++) {
            List<Hit> hits;
            try {
              hits = opened.search(queries.get(q), SearchRequest.builder().k(20).build()).hits();
            } catch (UncheckedIOException e) {
              assertTrue(
                  how.checksums() == OpenOptions.Checksums.ON_FIRST_USE
                      && e.getCause() instanceof CorruptIndexException,
                  "trial " + t + ": " + e);
              lateRefusals++;
              break;
            }
            if (!expected.get(q).hits().equals(hits)) {
              fail(
                  "trial "
                      + t
                      + " ("
                      + KINDS[kind]
                      + ", "
                      + how
                      + "): a damaged file opened"
                      + " and answered differently");
            }
          }
        }
      }
      if (!refusedByHeap) {
        harmless++;
        identical += Arrays.equals(bad, good) ? 1 : 0;
      }
    }
    Robustness.report(
        "corrupted index files",
        trials
            + " damaged files of "
            + good.length
            + " bytes: "
            + (trials - harmless)
            + " refused with CorruptIndexException naming the"
            + " file ("
            + summary(refused)
            + "), "
            + harmless
            + " opened with the original answers ("
            + identical
            + " of them byte-identical to the original), 0 silent wrong answers; the same"
            + " files memory-mapped: refused at open or answered the same, and with checksums on"
            + " first use "
            + lateRefusals
            + " refused by their first search");
    assertEquals(trials, Arrays.stream(refused).sum() + harmless);
  }

  /** How each damaged file is opened: in memory, mapped and verified now, mapped and lazily. */
  private static final List<OpenOptions> HOW =
      List.of(
          OpenOptions.builder().modelFingerprint(TestData.MODEL).build(),
          OpenOptions.builder()
              .modelFingerprint(TestData.MODEL)
              .memoryMapped()
              .checksums(OpenOptions.Checksums.AT_OPEN)
              .build(),
          OpenOptions.builder()
              .modelFingerprint(TestData.MODEL)
              .memoryMapped()
              .checksums(OpenOptions.Checksums.ON_FIRST_USE)
              .build());

  private static final String[] KINDS = {
    "bit flips",
    "overwritten range",
    "truncation",
    "appended bytes",
    "inserted bytes",
    "zeroed range"
  };

  private static String summary(int[] refused) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < KINDS.length; k++) {
      b.append(k == 0 ? "" : ", ").append(KINDS[k]).append(' ').append(refused[k]);
    }
    return b.toString();
  }

  static byte[] damage(byte[] good, int kind, Random rnd) {
    byte[] b = good.clone();
    int at = rnd.nextInt(good.length);
    int len = 1 + rnd.nextInt(64);
    switch (kind) {
      case 0 -> {
        for (int f = 1 + rnd.nextInt(8); f > 0; f--) {
          int bit = rnd.nextInt(good.length * 8);
          b[bit >>> 3] ^= (byte) (1 << (bit & 7));
        }
      }
      case 1 -> {
        for (int i = at; i < Math.min(b.length, at + len); i++) {
          b[i] = (byte) rnd.nextInt(256);
        }
      }
      case 2 -> b = Arrays.copyOf(good, at);
      case 3 -> {
        b = Arrays.copyOf(good, good.length + len);
        for (int i = good.length; i < b.length; i++) {
          b[i] = (byte) rnd.nextInt(256);
        }
      }
      case 4 -> {
        b = new byte[good.length + len];
        System.arraycopy(good, 0, b, 0, at);
        for (int i = 0; i < len; i++) {
          b[at + i] = (byte) rnd.nextInt(256);
        }
        System.arraycopy(good, at, b, at + len, good.length - at);
      }
      default -> Arrays.fill(b, at, Math.min(b.length, at + len), (byte) 0);
    }
    return b;
  }
}
