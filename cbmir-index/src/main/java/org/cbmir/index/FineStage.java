package org.cbmir.index;

import java.util.Arrays;

/**
 * The fine stage: ranks a coarse pool (or, for exhaustive search, every unblocked row) by squared
 * Euclidean FC1 distance, returned as sorted (distance bits, ordinal) keys so that ties go to the
 * lower ordinal. Distances come from the {@link FeatureStore}'s SIMD kernel. When that store is
 * approximate (int8) and an exact one is kept beside it, the best {@link #RESCORE_FACTOR} times
 * {@code keep} candidates (at least {@link #RESCORE_MIN}) by the approximate distance are scored
 * again exactly, and those exact distances decide the order.
 *
 * <p>Thread-safety: stateless apart from the stores it reads; safe for concurrent searches.
 */
final class FineStage {
  /** Candidates re-scored exactly per hit kept: enough that quantisation rarely drops a hit. */
  static final int RESCORE_FACTOR = 4;

  /** Fewest candidates re-scored exactly. */
  static final int RESCORE_MIN = 32;

  private final FeatureStore features;
  private final FeatureStore exact;

  /** Ranks with {@code features}; re-scores with {@code exact} unless it is null. */
  FineStage(FeatureStore features, FeatureStore exact) {
    this.features = features;
    this.exact = exact;
  }

  /** The {@code keep} candidates nearest by FC1, as sorted (distance, ordinal) keys. */
  long[] rerank(float[] qf, Candidates c, int keep) {
    if (exact == null) {
      return rank(features, qf, c.ordinals, c.size, keep);
    }
    return rescore(qf, rank(features, qf, c.ordinals, c.size, widened(keep)), keep);
  }

  private static int widened(int keep) {
    return (int)
        Math.min(Integer.MAX_VALUE - 8, Math.max((long) keep * RESCORE_FACTOR, RESCORE_MIN));
  }

  private static long[] rank(FeatureStore store, float[] qf, int[] ordinals, int n, int keep) {
    float[] d = new float[n];
    store.squareDistances(qf, ordinals, n, d);
    if (keep >= n) {
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = LongHeap.key(Float.floatToRawIntBits(d[i]), ordinals[i]);
      }
      Arrays.sort(keys);
      return keys;
    }
    LongHeap heap = new LongHeap(keep);
    for (int i = 0; i < n; i++) {
      heap.offer(LongHeap.key(Float.floatToRawIntBits(d[i]), ordinals[i]));
    }
    return heap.toSortedArray();
  }

  /** The approximate candidates scored exactly; the best {@code keep} of them. */
  private long[] rescore(float[] qf, long[] approx, int keep) {
    int[] ords = new int[approx.length];
    for (int i = 0; i < approx.length; i++) {
      ords[i] = LongHeap.ordinal(approx[i]);
    }
    return rank(exact, qf, ords, ords.length, keep);
  }

  /** The {@code keep} rows of {@code [0, count)} nearest by FC1, blocked rows skipped. */
  long[] exhaustive(float[] qf, Blocked blocked, int keep, int count) {
    int wanted = exact == null ? keep : widened(keep);
    LongHeap heap = new LongHeap(Math.max(1, wanted));
    int[] ords = new int[1024];
    float[] d = new float[1024];
    int n = 0;
    boolean all = blocked.isEmpty(); // a local, so the loop tests it without a load
    for (int ord = 0; ord <= count; ord++) {
      if (n == ords.length || (ord == count && n > 0)) {
        features.squareDistances(qf, ords, n, d);
        for (int i = 0; i < n; i++) {
          heap.offer(LongHeap.key(Float.floatToRawIntBits(d[i]), ords[i]));
        }
        n = 0;
      }
      if (ord < count && (all || !blocked.contains(ord))) {
        ords[n++] = ord;
      }
    }
    long[] keys = heap.toSortedArray();
    return exact == null ? keys : rescore(qf, keys, keep);
  }

  /**
   * Euclidean (not squared) FC1 distance between the query and row {@code ordinal}, exact when an
   * exact store is kept.
   */
  float distance(float[] qf, int ordinal) {
    return (float) Math.sqrt((exact != null ? exact : features).squareDistance(qf, ordinal));
  }
}
