package org.cbmir.index;

import org.cbmir.api.Embedding;

/**
 * Where the index keeps its hash codes: ordinals {@code 0..size()-1}, each a code of {@link
 * #bits()} bits packed in {@link #words()} longs. The coarse stage reads codes only through this
 * interface, so that a store on the heap ({@link HeapCodeStore}) and one on a mapped file can serve
 * it alike.
 *
 * <p>Thread-safety: reads may run concurrently with each other; {@link #append} must not run
 * concurrently with anything (the index's write lock ensures that).
 */
interface CodeStore {
  /** Code length in bits. */
  int bits();

  /** Longs per code. */
  int words();

  /** Number of codes stored. */
  int size();

  /** Appends the code of {@code e} as ordinal {@link #size()}. */
  void append(Embedding e);

  /** Hamming distance between code {@code ordinal} and the query at {@code query[qo..]}. */
  int distance(int ordinal, long[] query, int qo);

  /** Bits {@code [start, start + length)} of code {@code ordinal}, {@code length <= 32}. */
  int substring(int ordinal, int start, int length);

  /**
   * The codes in {@code [from, to)} within {@code radius} of the query, ascending by ordinal, as
   * {@link org.cbmir.index.kernels.KernelSupport#radiusScan} reports them.
   */
  int radiusScan(
      int from, int to, long[] query, int qo, int radius, int[] outOrdinals, int[] outDistances);

  /** Bytes held, capacity included. */
  long ramBytesUsed();

  /**
   * The {@code codes} section of the first {@code count} codes, word by word, as they are now; call
   * under the index's lock, write at leisure.
   */
  SectionSource snapshot(int count);

  /** Releases the memory; the store is unusable afterwards. */
  void release();
}
