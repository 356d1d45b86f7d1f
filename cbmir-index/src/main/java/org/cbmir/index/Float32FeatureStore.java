package org.cbmir.index;

import java.io.IOException;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.index.kernels.Kernels;

/**
 * FC1 rows as float32 in {@link Pages} of {@value Pages#ROWS} rows: one flat {@code float[]} per
 * page (1 MiB at D = 256).
 *
 * <p>Thread-safety: see {@link FeatureStore}.
 */
final class Float32FeatureStore implements FeatureStore {

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
    int p = size >>> Pages.SHIFT;
    pages = Pages.ensure(pages, p, rows -> new float[rows * dim]);
    e.copyFc1Into(pages[p], (size & Pages.MASK) * dim);
    size++;
  }

  @Override
  public float squareDistance(float[] query, int ordinal) {
    return Kernels.squareDistance(
        query, 0, pages[ordinal >>> Pages.SHIFT], (ordinal & Pages.MASK) * dim, dim);
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
      for (int p = 0; p < Pages.count(count); p++) {
        w.putFloats(held[p], 0, Pages.rowsIn(p, count) * dim);
      }
      w.endSection();
    };
  }

  /** Reads the {@code features} section of {@code count} rows; non-finite values are corrupt. */
  static Float32FeatureStore read(SectionReader r, int dimension, int count) throws IOException {
    Float32FeatureStore s = new Float32FeatureStore(dimension);
    s.pages = new float[Pages.count(count)][];
    r.beginSection("features", 4L * count * dimension);
    for (int p = 0; p < s.pages.length; p++) {
      s.pages[p] = new float[Pages.ROWS * dimension];
      int n = Pages.rowsIn(p, count) * dimension;
      float[] page = s.pages[p];
      r.readFloats(page, 0, n);
      for (int i = 0; i < n; i++) {
        if (!Float.isFinite(page[i])) {
          throw new CorruptIndexException(
              r.file(),
              "features",
              "non-finite feature " + page[i] + " in row " + (p * Pages.ROWS + i / dimension));
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
