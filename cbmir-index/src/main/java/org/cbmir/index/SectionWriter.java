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
    int off = 0;
    while (off < b.length) {
      ensure(1);
      int n = Math.min(buf.remaining(), b.length - off);
      buf.put(b, off, n);
      off += n;
    }
    written += b.length;
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
