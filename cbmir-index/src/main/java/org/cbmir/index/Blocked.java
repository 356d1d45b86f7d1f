package org.cbmir.index;

import org.roaringbitmap.RoaringBitmap;

/**
 * The ordinals a search must skip (removed, or filtered out by the request), never null: {@link
 * #NONE} skips nothing, so the scans ask every candidate the same question and the empty case costs
 * one field test that the JIT hoists out of their loops.
 *
 * <p>Thread-safety: immutable once made; the bitmap is never changed after {@link #of}.
 */
final class Blocked {
  /** Skips nothing. */
  static final Blocked NONE = new Blocked(null);

  private final RoaringBitmap bits;

  private Blocked(RoaringBitmap bits) {
    this.bits = bits;
  }

  /** Skips the bitmap's ordinals; {@link #NONE} for null or empty. Do not change it afterwards. */
  static Blocked of(RoaringBitmap bits) {
    return bits == null || bits.isEmpty() ? NONE : new Blocked(bits);
  }

  boolean contains(int ordinal) {
    return bits != null && bits.contains(ordinal);
  }

  boolean isEmpty() {
    return bits == null;
  }

  int cardinality() {
    return bits == null ? 0 : bits.getCardinality();
  }
}
