package org.cbmir.index;

import java.util.Arrays;

/**
 * A bounded max-heap of {@code long} keys that keeps the {@code capacity} smallest keys offered.
 * Keys pack a distance in the high 32 bits and the ordinal in the low 32, so ordering by key ranks
 * by distance and breaks ties by ordinal: results are deterministic.
 *
 * <p>Thread-safety: not thread-safe; one per search.
 */
final class LongHeap {
  private final long[] heap;
  private int size;

  LongHeap(int capacity) {
    heap = new long[Math.max(1, capacity)];
  }

  static long key(int distanceBits, int ordinal) {
    return ((long) distanceBits << 32) | (ordinal & 0xFFFF_FFFFL);
  }

  static int ordinal(long key) {
    return (int) key;
  }

  static int distanceBits(long key) {
    return (int) (key >>> 32);
  }

  boolean isFull() {
    return size == heap.length;
  }

  int size() {
    return size;
  }

  /** The largest key kept; only meaningful when not empty. */
  long top() {
    return heap[0];
  }

  /** Offers a key; returns whether it was kept. */
  boolean offer(long key) {
    if (size < heap.length) {
      int i = size++;
      while (i > 0) {
        int parent = (i - 1) >>> 1;
        if (heap[parent] >= key) {
          break;
        }
        heap[i] = heap[parent];
        i = parent;
      }
      heap[i] = key;
      return true;
    }
    if (key >= heap[0]) {
      return false;
    }
    int i = 0;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right] > heap[child]) {
        child = right;
      }
      if (heap[child] <= key) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = key;
    return true;
  }

  /** The kept keys in ascending order. */
  long[] toSortedArray() {
    long[] out = Arrays.copyOf(heap, size);
    Arrays.sort(out);
    return out;
  }
}
