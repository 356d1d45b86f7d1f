package org.cbmir.index;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.cbmir.api.Embedding;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.testing.BadInputs;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the index, one case at a time, with the message each gives (the index part of the
 * table in RELIABILITY.md, written to {@code target/robustness/bad-inputs-index.md}).
 */
@ExtendWith(SeedReporter.class)
class BadInputCatalogTest {
  @TempDir Path dir;

  @Test
  void everyBadInputGetsAClearMessage() throws Exception {
    BadInputs cases = new BadInputs("index", "index", dir);
    Random rnd = new Random(Robustness.SEED);
    RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(64)
                .featureDimension(8)
                .modelFingerprint(TestData.MODEL)
                .build());
    for (int i = 0; i < 20; i++) {
      index.add(
          TestData.ref(i, 3),
          TestData.embedding(TestData.randomCode(rnd, 64), 64, TestData.features(rnd, 8)));
    }
    Path good = dir.resolve("good.cbmir");
    index.save(good);

    cases.expect(
        "open a file that does not exist",
        "missing.cbmir: no index file there",
        () -> RetrievalIndexes.open(dir.resolve("missing.cbmir"), TestData.MODEL));
    cases.expect(
        "open a folder",
        "is a folder, expected an index file",
        () -> RetrievalIndexes.open(dir, TestData.MODEL));
    Path text = dir.resolve("notes.cbmir");
    Files.writeString(text, "not an index at all");
    cases.expect(
        "open a text file", "not a cbmir index", () -> RetrievalIndexes.open(text, TestData.MODEL));
    cases.expect(
        "open an index of another model",
        "another-model",
        () -> RetrievalIndexes.open(good, "another-model"));
    byte[] all = Files.readAllBytes(good);
    Path cut = dir.resolve("cut.cbmir");
    Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
    cases.expect(
        "open a file cut in half", "cut.cbmir", () -> RetrievalIndexes.open(cut, TestData.MODEL));
    Path flipped = dir.resolve("flipped.cbmir");
    byte[] f = all.clone();
    f[all.length / 3] ^= 0x10;
    Files.write(flipped, f);
    cases.expect(
        "open a file with one flipped bit",
        "flipped.cbmir",
        () -> RetrievalIndexes.open(flipped, TestData.MODEL));
    Path folder = dir.resolve("a-folder");
    Files.createDirectories(folder);
    cases.expect("save over a folder", "not a regular file", () -> index.save(folder));
    Path link = dir.resolve("link.cbmir");
    Files.createSymbolicLink(link, good);
    cases.expect("save over a symbolic link", "symbolic link", () -> index.save(link));
    cases.expect(
        "save into a folder that does not exist",
        "does not exist",
        () -> index.save(dir.resolve("no/such/folder/x.cbmir")));
    cases.expect("save to null", "file", () -> index.save(null));
    cases.expect(
        "add a 128-bit code to a 64-bit index",
        "128",
        () ->
            index.add(
                TestData.ref(99, 3),
                TestData.embedding(TestData.randomCode(rnd, 128), 128, TestData.features(rnd, 8))));
    cases.expect(
        "add 9 features to an index of 8",
        "9",
        () ->
            index.add(
                TestData.ref(99, 3),
                TestData.embedding(TestData.randomCode(rnd, 64), 64, TestData.features(rnd, 9))));
    cases.expect(
        "add an embedding of another model",
        "other-model",
        () ->
            index.add(
                TestData.ref(99, 3),
                Embedding.builder()
                    .code(TestData.randomCode(rnd, 64), 64)
                    .fc1(TestData.features(rnd, 8))
                    .modelFingerprint("other-model")
                    .build()));
    cases.expect(
        "search with a null query", "query", () -> index.search(null, SearchRequest.defaults()));
    cases.expect("remove ordinal 500 of 20", "500", () -> index.remove(500));
    cases.expect("ref of ordinal -1", "-1", () -> index.ref(-1));
    index.close();
    cases.expect(
        "search after close",
        "closed",
        () ->
            index.search(
                TestData.embedding(TestData.randomCode(rnd, 64), 64, TestData.features(rnd, 8)),
                SearchRequest.defaults()));

    List<String> problems = cases.finish();
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }
}
