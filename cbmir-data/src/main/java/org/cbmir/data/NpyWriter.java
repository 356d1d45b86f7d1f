package org.cbmir.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Writes NumPy {@code .npy} files (format 1.0, little-endian, C order) record by record, so a
 * dataset larger than memory can be exported: the leading dimension is patched into the header when
 * the file is closed. NumPy's own header is a Python dict literal, padded so that the data starts
 * on a 64-byte boundary; the leading dimension is written space-padded to a fixed width.
 *
 * <p>Why our own code: no maintained Java NumPy writer is on Maven Central, and the format is a
 * ten-line header ({@code numpy.lib.format}).
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class NpyWriter implements AutoCloseable {
  /** Element types written. Thread-safety: immutable. */
  public enum DType {
    /** float32, {@code <f4}. */
    FLOAT32("<f4", 4),
    /** uint8, {@code |u1}. */
    UINT8("|u1", 1),
    /** int64, {@code <i8}. */
    INT64("<i8", 8);

    final String descr;
    final int bytes;

    DType(String descr, int bytes) {
      this.descr = descr;
      this.bytes = bytes;
    }
  }

  private static final int HEADER_LEN = 128;
  private final FileChannel ch;
  private final DType type;
  private final int[] recordShape;
  private final int recordElements;
  private final ByteBuffer buf;
  private long records;
  private boolean closed;

  /**
   * Opens {@code file} for records of shape {@code recordShape} (the full shape is {@code [N,
   * recordShape...]}).
   */
  public NpyWriter(Path file, DType type, int... recordShape) throws IOException {
    this.type = type;
    this.recordShape = recordShape.clone();
    int e = 1;
    for (int s : recordShape) {
      if (s < 1) {
        throw new IllegalArgumentException("record dimensions must be >= 1, got " + s);
      }
      e = Math.multiplyExact(e, s);
    }
    this.recordElements = e;
    this.buf = ByteBuffer.allocate(e * type.bytes).order(ByteOrder.LITTLE_ENDIAN);
    this.ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    writeHeader();
  }

  private void writeHeader() throws IOException {
    StringBuilder shape =
        new StringBuilder("(").append(String.format(Locale.ROOT, "%12d", records));
    for (int s : recordShape) {
      shape.append(", ").append(s);
    }
    shape.append(recordShape.length == 0 ? ",)" : ")");
    String dict =
        "{'descr': '" + type.descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    int used = 10 + dict.length() + 1;
    if (used > HEADER_LEN) {
      throw new IllegalArgumentException("shape too long for the header: " + shape);
    }
    ByteBuffer h = ByteBuffer.allocate(HEADER_LEN).order(ByteOrder.LITTLE_ENDIAN);
    h.put((byte) 0x93)
        .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
        .put((byte) 1)
        .put((byte) 0)
        .putShort((short) (HEADER_LEN - 10));
    h.put(dict.getBytes(StandardCharsets.US_ASCII));
    while (h.position() < HEADER_LEN - 1) {
      h.put((byte) ' ');
    }
    h.put((byte) '\n');
    h.flip();
    ch.write(h, 0);
  }

  /** Appends one float32 record. */
  public void write(float[] record) throws IOException {
    check(DType.FLOAT32, record.length);
    buf.clear();
    buf.asFloatBuffer().put(record);
    buf.position(record.length * 4);
    flush();
  }

  /** Appends one uint8 record. */
  public void write(byte[] record) throws IOException {
    check(DType.UINT8, record.length);
    buf.clear();
    buf.put(record);
    flush();
  }

  /** Appends one int64 record. */
  public void write(long... record) throws IOException {
    check(DType.INT64, record.length);
    buf.clear();
    buf.asLongBuffer().put(record);
    buf.position(record.length * 8);
    flush();
  }

  private void check(DType t, int n) {
    if (closed) {
      throw new IllegalStateException("writer is closed");
    }
    if (t != type || n != recordElements) {
      throw new IllegalArgumentException(
          "expected a "
              + type
              + " record of "
              + recordElements
              + " elements, got "
              + t
              + " x "
              + n);
    }
  }

  private void flush() throws IOException {
    buf.flip();
    long pos = HEADER_LEN + records * recordElements * type.bytes;
    while (buf.hasRemaining()) {
      pos += ch.write(buf, pos);
    }
    records++;
  }

  /** Number of records written. */
  public long records() {
    return records;
  }

  /** Patches the record count into the header and closes the file; closing twice is harmless. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writeHeader();
    } finally {
      ch.close();
    }
  }
}
