package org.cbmir.index;

import java.nio.file.Path;
import java.util.Random;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;

/**
 * Child process of {@link KillDuringSaveTest}: builds an index, then adds 1,000 slices and saves to
 * the same file, again and again, printing the size after each save, until it is killed.
 */
public final class SaveLoop {
  static final int BITS = 64;
  static final int DIM = 64;
  static final int STEP = 1_000;

  private SaveLoop() {}

  /** Arguments: target file, initial slices, seed. */
  public static void main(String[] args) throws Exception {
    Path target = Path.of(args[0]);
    int initial = Integer.parseInt(args[1]);
    Random rnd = new Random(Long.parseLong(args[2]));
    try (RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .bits(BITS)
                .featureDimension(DIM)
                .modelFingerprint(TestData.MODEL)
                .build())) {
      add(index, initial, rnd);
      System.out.println("ready");
      System.out.flush();
      while (true) {
        add(index, STEP, rnd);
        index.save(target);
        System.out.println("saved " + index.size());
        System.out.flush();
      }
    }
  }

  private static void add(RetrievalIndex index, int n, Random rnd) {
    for (int i = 0; i < n; i++) {
      int ord = index.ordinalCount();
      index.add(
          TestData.ref(ord, 11),
          TestData.embedding(TestData.randomCode(rnd, BITS), BITS, TestData.features(rnd, DIM)));
    }
  }
}
