package org.cbmir.index;

import org.cbmir.api.testing.Robustness;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection on saved index files: seeded bit flips, overwritten ranges, truncations, appended
 * and inserted bytes. Every damaged file must be refused with a {@link CorruptIndexException}
 * naming the file, or, when the damage changed nothing that matters, give exactly the original
 * answers. A file that opens and answers differently is a silent wrong answer: the test fails.
 */
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
    try (RetrievalIndex index = RetrievalIndexes.create(IndexConfig.builder().bits(bits)
        .featureDimension(dim).modelFingerprint(TestData.MODEL).build())) {
      for (int i = 0; i < 300; i++) {
        index.add(TestData.ref(i, 7), TestData.embedding(TestData.randomCode(rnd, bits), bits,
            TestData.features(rnd, dim)));
      }
      for (int i = 0; i < 300; i += 17) {
        index.remove(i);
      }
      index.save(original);
      for (int q = 0; q < 5; q++) {
        Embedding e = TestData.embedding(TestData.randomCode(rnd, bits), bits,
            TestData.features(rnd, dim));
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
    for (int t = 0; t < trials; t++) {
      int kind = t % 6;
      byte[] bad = damage(good, kind, rnd);
      Files.write(damaged, bad);
      RetrievalIndex opened;
      try {
        opened = RetrievalIndexes.open(damaged, TestData.MODEL);
      } catch (CorruptIndexException e) {
        assertTrue(e.getMessage().contains("damaged.cbmir"), "names the file: " + e.getMessage());
        refused[kind]++;
        continue;
      } catch (RuntimeException | IOException | Error e) {
        throw new AssertionError("trial " + t + " (" + KINDS[kind] + "): unexpected " + e, e);
      }
      try (opened) {
        if (Arrays.equals(bad, good)) {
          identical++;
          harmless++;
          continue;
        }
        for (int q = 0; q < queries.size(); q++) {
          if (!expected.get(q).hits().equals(opened.search(queries.get(q),
              SearchRequest.builder().k(20).build()).hits())) {
            fail("trial " + t + " (" + KINDS[kind] + "): a damaged file opened and answered"
                + " differently");
          }
        }
        harmless++;
      }
    }
    Robustness.report("corrupted index files", trials + " damaged files of " + good.length
        + " bytes: " + (trials - harmless) + " refused with CorruptIndexException naming the"
        + " file (" + summary(refused) + "), " + harmless + " opened with the original answers ("
        + identical + " of them byte-identical to the original), 0 silent wrong answers");
    assertEquals(trials, Arrays.stream(refused).sum() + harmless);
  }

  private static final String[] KINDS = {"bit flips", "overwritten range", "truncation",
      "appended bytes", "inserted bytes", "zeroed range"};

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
