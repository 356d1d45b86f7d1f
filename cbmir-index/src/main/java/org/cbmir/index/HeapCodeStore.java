package org.cbmir.index;

import java.io.IOException;
import java.util.Arrays;
import org.cbmir.api.Embedding;
import org.cbmir.index.kernels.Kernels;

/**
 * Codes packed in one flat {@code long[]}: code {@code i} at {@code codes[i * words]}, so that the
 * SIMD scan streams them without indirection. Grows by about half when full.
 *
 * <p>Thread-safety: see {@link CodeStore}.
 */
final class HeapCodeStore implements CodeStore {
  private final int bits;
  private final int words;
  private long[] codes;
  private int size;

  /** Preallocation stops here; beyond it the store grows as codes arrive. */
  static final int MAX_INITIAL_CAPACITY = 1 << 22;

  HeapCodeStore(int bits, int capacity) {
    this.bits = bits;
    this.words = Embedding.wordsFor(bits);
    // The capacity is a caller's hint: never allocate more for it than a few million codes.
    this.codes = new long[Math.max(16, Math.min(capacity, MAX_INITIAL_CAPACITY)) * words];
  }

  /** A store over existing packed codes (not copied), for tools and tests. */
  static HeapCodeStore wrap(int bits, long[] codes, int size) {
    if ((long) size * Embedding.wordsFor(bits) > codes.length) {
      throw new IllegalArgumentException(
          size
              + " codes of "
              + bits
              + " bits need "
              + (long) size * Embedding.wordsFor(bits)
              + " words, got "
              + codes.length);
    }
    return new HeapCodeStore(bits, codes, size);
  }

  private HeapCodeStore(int bits, long[] codes, int size) {
    this.bits = bits;
    this.words = Embedding.wordsFor(bits);
    this.codes = codes;
    this.size = size;
  }

  @Override
  public int bits() {
    return bits;
  }

  @Override
  public int words() {
    return words;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void append(Embedding e) {
    if ((long) (size + 1) * words > codes.length) {
      long want = (long) ArraysSupport.grow(size) * words;
      if (want > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("index is full: " + size + " codes of " + bits + " bits");
      }
      codes = Arrays.copyOf(codes, (int) want);
    }
    e.copyCodeInto(codes, size * words);
    size++;
  }

  @Override
  public int distance(int ordinal, long[] query, int qo) {
    return Kernels.distance(codes, words, ordinal, query, qo);
  }

  @Override
  public int substring(int ordinal, int start, int length) {
    return MultiIndexHashing.substring(codes, ordinal * words, start, length);
  }

  @Override
  public int radiusScan(
      int from, int to, long[] query, int qo, int radius, int[] outOrdinals, int[] outDistances) {
    return Kernels.radiusScan(codes, words, from, to, query, qo, radius, outOrdinals, outDistances);
  }

  @Override
  public long ramBytesUsed() {
    return 8L * codes.length;
  }

  @Override
  public SectionSource snapshot(int count) {
    long[] c = codes;
    int n = count * words;
    return w -> {
      w.beginSection("codes", 8L * n);
      w.putLongs(c, 0, n);
      w.endSection();
    };
  }

  /** Reads the {@code codes} section of {@code count} codes (see {@link #snapshot}). */
  static HeapCodeStore read(SectionReader r, int bits, int count) throws IOException {
    long n = (long) count * Embedding.wordsFor(bits);
    long[] codes = new long[(int) Math.max(16, n)];
    r.beginSection("codes", 8 * n);
    r.readLongs(codes, 0, (int) n);
    r.endSection();
    return new HeapCodeStore(bits, codes, count);
  }

  @Override
  public void release() {
    codes = new long[0];
    size = 0;
  }
}
