package org.cbmir.index;

import java.io.IOException;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.index.kernels.Kernels;

/**
 * FC1 rows quantised to int8 with one scale per row ({@code FeatureStorage.INT8}): row values
 * {@code x} are stored as {@code q = round(x / s)} with {@code s = max|x| / 127}, in pages of
 * {@value Pages#ROWS} rows like {@link Float32FeatureStore}. A distance is computed as {@code |y|^2
 * - 2 s (y . q) + s^2 |q|^2}: one int8-by-float dot product per row, with {@code |y|^2} once per
 * query and {@code s^2 |q|^2} kept per row, so the kernel reads one byte per value.
 *
 * <p>A per-row scale (not per dimension) is chosen because rows arrive one at a time: each row's
 * scale depends on that row only, so adding never requantises what is stored.
 *
 * <p>Thread-safety: see {@link FeatureStore}.
 */
final class Int8FeatureStore implements FeatureStore {
  /** Section name in the index file: per row a float scale, then {@code dimension} bytes. */
  static final String SECTION = "features-int8";

  private final int dim;
  private byte[][] pages = new byte[0][];
  private float[][] scales = new float[0][];
  private float[][] norms = new float[0][];
  private int size;
  private final float[] scratch;

  Int8FeatureStore(int dimension) {
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
  public void append(Embedding e) {
    // Called under the index's write lock only, so the scratch row is never shared.
    e.copyFc1Into(scratch, 0);
    float max = 0;
    for (float v : scratch) {
      max = Math.max(max, Math.abs(v));
    }
    float scale = max > 0 ? max / 127f : 1f;
    ensurePage(size >>> Pages.SHIFT);
    byte[] page = pages[size >>> Pages.SHIFT];
    int off = (size & Pages.MASK) * dim;
    for (int i = 0; i < dim; i++) {
      page[off + i] = (byte) Math.max(-127, Math.min(127, Math.round(scratch[i] / scale)));
    }
    set(size, scale, page, off);
    size++;
  }

  private void ensurePage(int p) {
    pages = Pages.ensure(pages, p, rows -> new byte[rows * dim]);
    scales = Pages.ensure(scales, p, float[]::new);
    norms = Pages.ensure(norms, p, float[]::new);
  }

  /** Stores a row's scale and its dequantised squared norm {@code s^2 |q|^2}. */
  private void set(int row, float scale, byte[] page, int off) {
    scales[row >>> Pages.SHIFT][row & Pages.MASK] = scale;
    norms[row >>> Pages.SHIFT][row & Pages.MASK] = rowNorm(scale, page, off, dim);
  }

  /** The dequantised squared norm {@code s^2 |q|^2} of a stored row. */
  static float rowNorm(float scale, byte[] b, int off, int dim) {
    long qq = 0;
    for (int i = 0; i < dim; i++) {
      qq += b[off + i] * b[off + i];
    }
    return scale * scale * qq;
  }

  /**
   * {@code |y|^2 - 2 s (y . q) + s^2 |q|^2}, clamped at zero, for the row stored at {@code
   * b[off..]}.
   */
  static float distance(
      float[] query, float queryNorm, float scale, float rowNorm, byte[] b, int off, int dim) {
    float dot = Kernels.dotInt8(query, 0, b, off, dim);
    return Math.max(0f, queryNorm - 2 * scale * dot + rowNorm);
  }

  private float distance(float[] query, float queryNorm, int ordinal) {
    int p = ordinal >>> Pages.SHIFT;
    int r = ordinal & Pages.MASK;
    return distance(query, queryNorm, scales[p][r], norms[p][r], pages[p], r * dim, dim);
  }

  /** {@code |y|^2} of a query, once per query. */
  static float norm(float[] query, int dim) {
    float s = 0;
    for (int i = 0; i < dim; i++) {
      s = Math.fma(query[i], query[i], s);
    }
    return s;
  }

  @Override
  public float squareDistance(float[] query, int ordinal) {
    return distance(query, norm(query, dim), ordinal);
  }

  @Override
  public void squareDistances(float[] query, int[] ordinals, int n, float[] out) {
    float qn = norm(query, dim);
    for (int i = 0; i < n; i++) {
      out[i] = distance(query, qn, ordinals[i]);
    }
  }

  @Override
  public long ramBytesUsed() {
    long b = 0;
    for (int p = 0; p < pages.length; p++) {
      b += pages[p] == null ? 0 : pages[p].length + 8L * Pages.ROWS;
    }
    return b;
  }

  @Override
  public SectionSource snapshot(int count) {
    byte[][] held = pages.clone();
    float[][] heldScales = scales.clone();
    return w -> {
      w.beginSection(SECTION, (4L + dim) * count);
      for (int row = 0; row < count; row++) {
        int p = row >>> Pages.SHIFT;
        int off = (row & Pages.MASK) * dim;
        w.putFloat(heldScales[p][row & Pages.MASK]);
        w.putBytes(held[p], off, dim);
      }
      w.endSection();
    };
  }

  /**
   * Reads the {@value #SECTION} section of {@code count} rows; a scale that is not a positive
   * finite number, or a value of -128 (never written), is corrupt.
   */
  static Int8FeatureStore read(SectionReader r, int dimension, int count) throws IOException {
    Int8FeatureStore s = new Int8FeatureStore(dimension);
    r.beginSection(SECTION, (4L + dimension) * count);
    for (int row = 0; row < count; row++) {
      s.ensurePage(row >>> Pages.SHIFT);
      float scale = r.getFloat();
      if (!(scale > 0) || !Float.isFinite(scale)) {
        throw new CorruptIndexException(
            r.file(),
            SECTION,
            "scale " + scale + " of row " + row + " is not a positive finite number");
      }
      byte[] page = s.pages[row >>> Pages.SHIFT];
      int off = (row & Pages.MASK) * dimension;
      r.readFully(page, off, dimension);
      for (int i = off; i < off + dimension; i++) {
        if (page[i] == Byte.MIN_VALUE) {
          throw new CorruptIndexException(
              r.file(),
              SECTION,
              "value -128 in row " + row + " (quantised values lie in -127..127)");
        }
      }
      s.set(row, scale, page, off);
    }
    r.endSection();
    s.size = count;
    return s;
  }

  @Override
  public void release() {
    pages = new byte[0][];
    scales = new float[0][];
    norms = new float[0][];
    size = 0;
  }
}
