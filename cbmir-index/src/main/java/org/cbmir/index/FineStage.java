package org.cbmir.index;

import java.util.Arrays;
import org.roaringbitmap.RoaringBitmap;

/**
 * The fine stage: ranks a coarse pool (or, for exhaustive search, every unblocked row) by squared
 * Euclidean FC1 distance, returned as sorted (distance bits, ordinal) keys so that ties go to the
 * lower ordinal. Distances come from the {@link FeatureStore}'s SIMD kernel.
 *
 * <p>Thread-safety: stateless apart from the store it reads; safe for concurrent searches.
 */
final class FineStage {
  private final FeatureStore features;

  FineStage(FeatureStore features) {
    this.features = features;
  }

  /** The {@code keep} candidates nearest by FC1, as sorted (distance, ordinal) keys. */
  long[] rerank(float[] qf, Candidates c, int keep) {
    float[] d = new float[c.size];
    features.squareDistances(qf, c.ordinals, c.size, d);
    if (keep >= c.size) {
      long[] keys = new long[c.size];
      for (int i = 0; i < c.size; i++) {
        keys[i] = LongHeap.key(Float.floatToRawIntBits(d[i]), c.ordinals[i]);
      }
      Arrays.sort(keys);
      return keys;
    }
    LongHeap heap = new LongHeap(keep);
    for (int i = 0; i < c.size; i++) {
      heap.offer(LongHeap.key(Float.floatToRawIntBits(d[i]), c.ordinals[i]));
    }
    return heap.toSortedArray();
  }

  /** The {@code keep} rows of {@code [0, count)} nearest by FC1, blocked rows skipped. */
  long[] exhaustive(float[] qf, RoaringBitmap blocked, int keep, int count) {
    LongHeap heap = new LongHeap(Math.max(1, keep));
    int[] ords = new int[1024];
    float[] d = new float[1024];
    int n = 0;
    for (int ord = 0; ord <= count; ord++) {
      if (n == ords.length || (ord == count && n > 0)) {
        features.squareDistances(qf, ords, n, d);
        for (int i = 0; i < n; i++) {
          heap.offer(LongHeap.key(Float.floatToRawIntBits(d[i]), ords[i]));
        }
        n = 0;
      }
      if (ord < count && (blocked == null || !blocked.contains(ord))) {
        ords[n++] = ord;
      }
    }
    return heap.toSortedArray();
  }

  /** Euclidean (not squared) FC1 distance between the query and row {@code ordinal}. */
  float distance(float[] qf, int ordinal) {
    return (float) Math.sqrt(features.squareDistance(qf, ordinal));
  }
}
