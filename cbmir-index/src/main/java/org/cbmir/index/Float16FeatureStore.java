package org.cbmir.index;

import java.io.IOException;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.index.kernels.Kernels;

/**
 * FC1 rows as IEEE 754 half-precision values ({@code FeatureStorage.FLOAT16}), rounded to nearest
 * by {@link Float#floatToFloat16}, in pages of {@value Pages#ROWS} rows like {@link
 * Float32FeatureStore}. Distances widen the halves to float inside the kernel, so the query stays
 * exact and only the stored side carries the rounding (a relative error below 2^-11 per value).
 *
 * <p>Thread-safety: see {@link FeatureStore}.
 */
final class Float16FeatureStore implements FeatureStore {
  /** Section name in the index file: {@code count * dimension} halves, row-major. */
  static final String SECTION = "features-f16";

  /** The largest finite half-precision value. */
  static final float MAX = 65504f;

  private final int dim;
  private short[][] pages = new short[0][];
  private int size;
  private final float[] scratch;

  Float16FeatureStore(int dimension) {
    this.dim = dimension;
    this.scratch = new float[dimension];
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
  public void checkRow(Embedding e) {
    checkRange(e.fc1());
  }

  /** Refuses a row with a value no half-precision number can hold. */
  private void checkRange(float[] row) {
    for (int i = 0; i < dim; i++) {
      float v = row[i];
      if (!(Math.abs(v) <= MAX)) {
        throw new IllegalArgumentException(
            "FC1 value "
                + v
                + " at "
                + i
                + " is beyond half"
                + " precision's range (+-65504); use FeatureStorage.FLOAT32 or INT8 for this model");
      }
    }
  }

  @Override
  public void append(Embedding e) {
    // Called under the index's write lock only, so the scratch row is never shared. The range is
    // checked again on the copy (no second allocation), before the store changes.
    e.copyFc1Into(scratch, 0);
    checkRange(scratch);
    int p = size >>> Pages.SHIFT;
    pages = Pages.ensure(pages, p, rows -> new short[rows * dim]);
    short[] page = pages[p];
    int off = (size & Pages.MASK) * dim;
    for (int i = 0; i < dim; i++) {
      page[off + i] = Float.floatToFloat16(scratch[i]);
    }
    size++;
  }

  @Override
  public float squareDistance(float[] query, int ordinal) {
    return Kernels.squareDistanceF16(
        query, 0, pages[ordinal >>> Pages.SHIFT], (ordinal & Pages.MASK) * dim, dim);
  }

  @Override
  public long ramBytesUsed() {
    long b = 0;
    for (short[] p : pages) {
      b += p == null ? 0 : 2L * p.length;
    }
    return b;
  }

  @Override
  public SectionSource snapshot(int count) {
    short[][] held = pages.clone();
    return w -> {
      w.beginSection(SECTION, 2L * count * dim);
      for (int p = 0; p < Pages.count(count); p++) {
        w.putShorts(held[p], 0, Pages.rowsIn(p, count) * dim);
      }
      w.endSection();
    };
  }

  /** Reads the {@value #SECTION} section of {@code count} rows; infinities and NaN are corrupt. */
  static Float16FeatureStore read(SectionReader r, int dimension, int count) throws IOException {
    Float16FeatureStore s = new Float16FeatureStore(dimension);
    s.pages = new short[Pages.count(count)][];
    r.beginSection(SECTION, 2L * count * dimension);
    for (int p = 0; p < s.pages.length; p++) {
      s.pages[p] = new short[Pages.ROWS * dimension];
      int n = Pages.rowsIn(p, count) * dimension;
      short[] page = s.pages[p];
      r.readShorts(page, 0, n);
      for (int i = 0; i < n; i++) {
        if ((page[i] & 0x7c00) == 0x7c00) {
          throw new CorruptIndexException(
              r.file(),
              SECTION,
              "non-finite half 0x"
                  + Integer.toHexString(page[i] & 0xffff)
                  + " in row "
                  + (p * Pages.ROWS + i / dimension));
        }
      }
    }
    r.endSection();
    s.size = count;
    return s;
  }

  @Override
  public void release() {
    pages = new short[0][];
    size = 0;
  }
}
