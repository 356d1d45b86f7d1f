package org.cbmir.index;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import org.cbmir.api.Embedding;
import org.cbmir.index.kernels.Kernels;

/**
 * FC1 rows served from a memory-mapped index file, in the layout the heap stores save: each row is
 * copied from the mapping into a scratch array and measured with the same kernel as on the heap, so
 * that a mapped index returns exactly the heap index's distances. The copy is one memory move of
 * the row's bytes, next to the cache misses the row costs either way. Read-only: {@link #append}
 * throws.
 *
 * <p>Thread-safety: thread-safe; scratch arrays are allocated per call.
 */
abstract sealed class MappedFeatureStore implements FeatureStore {
  final MappedSection section;
  final int dim;
  private final int size;

  private MappedFeatureStore(MappedSection section, int dim, int size) {
    this.section = section;
    this.dim = dim;
    this.size = size;
  }

  /** Float32 rows of section {@code features} ({@link Float32FeatureStore}'s layout). */
  static MappedFeatureStore float32(MappedSection s, int dim, int size) {
    return new Float32(s, dim, size);
  }

  /** Half-precision rows of section {@value Float16FeatureStore#SECTION}. */
  static MappedFeatureStore float16(MappedSection s, int dim, int size) {
    return new Float16(s, dim, size);
  }

  /** Int8 rows with their scales, section {@value Int8FeatureStore#SECTION}. */
  static MappedFeatureStore int8(MappedSection s, int dim, int size) {
    return new Int8(s, dim, size);
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
    throw new UnsupportedOperationException("a memory-mapped index is read-only for adds");
  }

  @Override
  public float squareDistance(float[] query, int ordinal) {
    float[] out = new float[1];
    squareDistances(query, new int[] {ordinal}, 1, out);
    return out[0];
  }

  /** Heap bytes only: the rows are in the page cache, counted by the operating system. */
  @Override
  public long ramBytesUsed() {
    return 0;
  }

  @Override
  public SectionSource snapshot(int count) {
    if (count != size) {
      throw new IllegalStateException("a mapped store holds " + size + " rows, asked for " + count);
    }
    return section::copyTo;
  }

  @Override
  public void release() {
    // The mapping is released by the garbage collector (see MappedSection).
  }

  private static final class Float32 extends MappedFeatureStore {
    private final FloatBuffer[] views;

    Float32(MappedSection s, int dim, int size) {
      super(s, dim, size);
      views = new FloatBuffer[s.chunkCount()];
      for (int i = 0; i < views.length; i++) {
        views[i] = s.chunk(i).asFloatBuffer();
      }
    }

    @Override
    public void squareDistances(float[] query, int[] ordinals, int n, float[] out) {
      section.ensureVerified();
      float[] row = new float[dim];
      int shift = section.chunkShift();
      int mask = (1 << shift) - 1;
      for (int i = 0; i < n; i++) {
        int ord = ordinals[i];
        views[ord >>> shift].get((ord & mask) * dim, row, 0, dim);
        out[i] = Kernels.squareDistance(query, 0, row, 0, dim);
      }
    }
  }

  private static final class Float16 extends MappedFeatureStore {
    private final ShortBuffer[] views;

    Float16(MappedSection s, int dim, int size) {
      super(s, dim, size);
      views = new ShortBuffer[s.chunkCount()];
      for (int i = 0; i < views.length; i++) {
        views[i] = s.chunk(i).asShortBuffer();
      }
    }

    @Override
    public void squareDistances(float[] query, int[] ordinals, int n, float[] out) {
      section.ensureVerified();
      short[] row = new short[dim];
      int shift = section.chunkShift();
      int mask = (1 << shift) - 1;
      for (int i = 0; i < n; i++) {
        int ord = ordinals[i];
        views[ord >>> shift].get((ord & mask) * dim, row, 0, dim);
        out[i] = Kernels.squareDistanceF16(query, 0, row, 0, dim);
      }
    }
  }

  /**
   * Rows of (float scale, {@code dim} bytes); see {@link Int8FeatureStore} for the arithmetic. The
   * squared norm the heap store keeps per row is recomputed here from the copied row (the file does
   * not hold it), one pass over its bytes.
   */
  private static final class Int8 extends MappedFeatureStore {
    Int8(MappedSection s, int dim, int size) {
      super(s, dim, size);
    }

    @Override
    public void squareDistances(float[] query, int[] ordinals, int n, float[] out) {
      section.ensureVerified();
      byte[] row = new byte[dim];
      float qn = Int8FeatureStore.norm(query, dim);
      int shift = section.chunkShift();
      for (int i = 0; i < n; i++) {
        int ord = ordinals[i];
        ByteBuffer c = section.chunk(ord >>> shift);
        int off = section.offsetOf(ord);
        float scale = c.getFloat(off);
        c.get(off + 4, row, 0, dim);
        out[i] =
            Int8FeatureStore.distance(
                query, qn, scale, Int8FeatureStore.rowNorm(scale, row, 0, dim), row, 0, dim);
      }
    }
  }
}
