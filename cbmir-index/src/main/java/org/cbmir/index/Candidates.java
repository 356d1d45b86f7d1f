package org.cbmir.index;

import java.util.Arrays;

/**
 * A growable list of (ordinal, Hamming distance) pairs: the coarse stage's pool, kept as two flat
 * arrays rather than objects.
 *
 * <p>Thread-safety: not thread-safe; one per search.
 */
final class Candidates {
  int[] ordinals;
  int[] distances;
  int size;

  Candidates(int capacity) {
    ordinals = new int[Math.max(16, capacity)];
    distances = new int[ordinals.length];
  }

  void add(int ordinal, int distance) {
    if (size == ordinals.length) {
      int c = ArraysSupport.grow(size);
      ordinals = Arrays.copyOf(ordinals, c);
      distances = Arrays.copyOf(distances, c);
    }
    ordinals[size] = ordinal;
    distances[size++] = distance;
  }

  /**
   * The smallest radius in {@code [from, to]} within which at least {@code m} entries lie, or -1 if
   * even {@code to} holds fewer.
   */
  int radiusHolding(int m, int from, int to) {
    int[] hist = new int[to + 1];
    for (int i = 0; i < size; i++) {
      int d = distances[i];
      if (d <= to) {
        hist[d]++;
      }
    }
    int cum = 0;
    for (int r = 0; r <= to; r++) {
      cum += hist[r];
      if (r >= from && cum >= m) {
        return r;
      }
    }
    return -1;
  }

  /** Drops the entries farther than {@code radius}, keeping their order. */
  void retainWithin(int radius) {
    int w = 0;
    for (int i = 0; i < size; i++) {
      if (distances[i] <= radius) {
        ordinals[w] = ordinals[i];
        distances[w++] = distances[i];
      }
    }
    size = w;
  }
}
