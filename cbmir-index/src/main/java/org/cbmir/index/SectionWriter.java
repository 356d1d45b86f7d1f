package org.cbmir.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The index file's writer: buffered, little-endian, one CRC32C per section payload. Each part of
 * the index (code store, feature store, slice table) writes its own sections through it; {@link
 * IndexFile} frames them.
 *
 * <p>Thread-safety: not thread-safe; one per save.
 */
final class SectionWriter {
  private final FileChannel ch;
  private final ByteBuffer buf =
      ByteBuffer.allocate(IndexFile.CHUNK).order(ByteOrder.LITTLE_ENDIAN);
  private CRC32C crc;
  private long expected;
  private long written;

  SectionWriter(FileChannel ch) {
    this.ch = ch;
  }

  void beginSection(String name, long length) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    ensure(4 + n.length + 8);
    buf.putInt(n.length).put(n).putLong(length);
    drainUnchecked();
    crc = new CRC32C();
    expected = length;
    written = 0;
  }

  void endSection() throws IOException {
    if (written != expected) {
      throw new IllegalStateException("section length " + written + " != " + expected);
    }
    drain();
    CRC32C c = crc;
    crc = null;
    ensure(4);
    buf.putInt((int) c.getValue());
  }

  void raw(byte[] b) throws IOException {
    for (byte x : b) {
      ensure(1);
      buf.put(x);
    }
  }

  void putLong(long v) throws IOException {
    ensure(8);
    buf.putLong(v);
    written += 8;
  }

  void putInt(int v) throws IOException {
    ensure(4);
    buf.putInt(v);
    written += 4;
  }

  void putDouble(double v) throws IOException {
    ensure(8);
    buf.putDouble(v);
    written += 8;
  }

  void putFloat(float v) throws IOException {
    ensure(4);
    buf.putFloat(v);
    written += 4;
  }

  void putByte(byte v) throws IOException {
    ensure(1);
    buf.put(v);
    written += 1;
  }

  void putBytes(byte[] b) throws IOException {
    putBytes(b, 0, b.length);
  }

  void putBytes(byte[] b, int off, int len) throws IOException {
    written += len;
    while (len > 0) {
      ensure(1);
      int n = Math.min(buf.remaining(), len);
      buf.put(b, off, n);
      off += n;
      len -= n;
    }
  }

  /** Writes {@code src[off..off+n)} little-endian, a buffer's worth at a time. */
  void putLongs(long[] src, int off, int n) throws IOException {
    written += 8L * n;
    while (n > 0) {
      ensure(8);
      int k = Math.min(buf.remaining() / 8, n);
      buf.asLongBuffer().put(src, off, k);
      buf.position(buf.position() + 8 * k);
      off += k;
      n -= k;
    }
  }

  void putFloats(float[] src, int off, int n) throws IOException {
    written += 4L * n;
    while (n > 0) {
      ensure(4);
      int k = Math.min(buf.remaining() / 4, n);
      buf.asFloatBuffer().put(src, off, k);
      buf.position(buf.position() + 4 * k);
      off += k;
      n -= k;
    }
  }

  void putShorts(short[] src, int off, int n) throws IOException {
    written += 2L * n;
    while (n > 0) {
      ensure(2);
      int k = Math.min(buf.remaining() / 2, n);
      buf.asShortBuffer().put(src, off, k);
      buf.position(buf.position() + 2 * k);
      off += k;
      n -= k;
    }
  }

  private void ensure(int n) throws IOException {
    if (buf.remaining() < n) {
      drain();
    }
  }

  /** Writes buffered bytes, adding them to the open section's checksum. */
  private void drain() throws IOException {
    buf.flip();
    if (crc != null) {
      crc.update(buf.duplicate());
    }
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    buf.clear();
  }

  /** Writes buffered section framing, which is not part of any payload checksum. */
  private void drainUnchecked() throws IOException {
    CRC32C c = crc;
    crc = null;
    drain();
    crc = c;
  }

  void flush() throws IOException {
    drain();
  }
}
