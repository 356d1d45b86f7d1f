package org.cbmir.index;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The paging of the heap feature stores: rows in pages of {@value #ROWS}, one flat primitive array
 * per page, so that growth allocates at most one page ahead and never copies stored rows (an
 * array-of-pages copy is a few pointers).
 *
 * <p>Thread-safety: stateless.
 */
final class Pages {
  static final int SHIFT = 10;
  static final int ROWS = 1 << SHIFT;
  static final int MASK = ROWS - 1;

  private Pages() {}

  /**
   * {@code pages} with page {@code p} allocated ({@code alloc} gets the rows per page), grown to
   * hold it if needed.
   */
  static <T> T[] ensure(T[] pages, int p, IntFunction<T> alloc) {
    T[] out = p < pages.length ? pages : Arrays.copyOf(pages, Math.max(p + 1, pages.length * 2));
    if (out[p] == null) {
      out[p] = alloc.apply(ROWS);
    }
    return out;
  }

  /** Pages needed for {@code rows} rows. */
  static int count(long rows) {
    return (int) ((rows + ROWS - 1) / ROWS);
  }

  /** Rows of page {@code p} in use when the store holds {@code size} rows. */
  static int rowsIn(int p, int size) {
    return Math.min(ROWS, size - p * ROWS);
  }
}
