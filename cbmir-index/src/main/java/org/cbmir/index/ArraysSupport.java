package org.cbmir.index;

/** Growth policy shared by the index's flat arrays. Thread-safety: stateless. */
final class ArraysSupport {
  private ArraysSupport() {}

  /** Next capacity for an array of {@code size} elements: 1.5x, at least 16, capped near 2^31. */
  static int grow(int size) {
    long next = Math.max(16L, size + (size >> 1));
    if (next > Integer.MAX_VALUE - 8) {
      if (size >= Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("index is full: " + size + " slices");
      }
      next = Integer.MAX_VALUE - 8;
    }
    return (int) next;
  }
}
