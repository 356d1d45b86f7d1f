package org.cbmir.index;

import java.io.IOException;
import java.util.Arrays;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.index.kernels.Kernels;

/**
 * FC1 rows as float32 in pages of {@value #PAGE_ROWS} rows: one flat {@code float[]} per page, so
 * that growth allocates at most one page (1 MiB at D = 256) ahead and never copies old rows.
 *
 * <p>Thread-safety: see {@link FeatureStore}.
 */
final class Float32FeatureStore implements FeatureStore {
  static final int PAGE_SHIFT = 10;
  static final int PAGE_ROWS = 1 << PAGE_SHIFT;
  private static final int PAGE_MASK = PAGE_ROWS - 1;

  private final int dim;
  private float[][] pages;
  private int size;

  Float32FeatureStore(int dimension) {
    this.dim = dimension;
    this.pages = new float[0][];
  }

  @Override
  public int dimension() {
    return dim;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void append(Embedding e) {
    int p = size >>> PAGE_SHIFT;
    if (p >= pages.length) {
      pages = Arrays.copyOf(pages, Math.max(p + 1, pages.length * 2));
    }
    if (pages[p] == null) {
      pages[p] = new float[PAGE_ROWS * dim];
    }
    e.copyFc1Into(pages[p], (size & PAGE_MASK) * dim);
    size++;
  }

  @Override
  public float squareDistance(float[] query, int ordinal) {
    return Kernels.squareDistance(query, 0, pages[ordinal >>> PAGE_SHIFT],
        (ordinal & PAGE_MASK) * dim, dim);
  }

  @Override
  public long ramBytesUsed() {
    long b = 0;
    for (float[] p : pages) {
      b += p == null ? 0 : 4L * p.length;
    }
    return b;
  }

  @Override
  public SectionSource snapshot(int count) {
    float[][] held = pages.clone();
    return w -> {
      w.beginSection("features", 4L * count * dim);
      for (int p = 0; (long) p * PAGE_ROWS < count; p++) {
        float[] page = held[p];
        w.putFloats(page, 0, Math.min(PAGE_ROWS, count - p * PAGE_ROWS) * dim);
      }
      w.endSection();
    };
  }

  /** Reads the {@code features} section of {@code count} rows; non-finite values are corrupt. */
  static Float32FeatureStore read(SectionReader r, int dimension, int count) throws IOException {
    Float32FeatureStore s = new Float32FeatureStore(dimension);
    s.pages = new float[(int) ((count + (long) PAGE_ROWS - 1) / PAGE_ROWS)][];
    r.beginSection("features", 4L * count * dimension);
    for (int p = 0; p < s.pages.length; p++) {
      s.pages[p] = new float[PAGE_ROWS * dimension];
      int n = Math.min(PAGE_ROWS, count - p * PAGE_ROWS) * dimension;
      float[] page = s.pages[p];
      r.readFloats(page, 0, n);
      for (int i = 0; i < n; i++) {
        if (!Float.isFinite(page[i])) {
          throw new CorruptIndexException(r.file(), "features",
              "non-finite feature " + page[i] + " in row " + (p * PAGE_ROWS + i / dimension));
        }
      }
    }
    r.endSection();
    s.size = count;
    return s;
  }

  @Override
  public void release() {
    pages = new float[0][];
    size = 0;
  }
}
