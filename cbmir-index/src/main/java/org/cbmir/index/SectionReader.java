package org.cbmir.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.cbmir.api.CorruptIndexException;

/**
 * The index file's reader: buffered, little-endian; it checks every section's length against the
 * file size before reading it and its checksum after, so a part never builds from a truncated or
 * damaged payload without noticing. Each part of the index reads its own sections through it.
 *
 * <p>Thread-safety: not thread-safe; one per load.
 */
final class SectionReader {
  private final Path file;
  private final FileChannel ch;
  private final long fileSize;
  private final ByteBuffer buf =
      ByteBuffer.allocate(IndexFile.CHUNK).order(ByteOrder.LITTLE_ENDIAN);
  private long bufStart;
  private String section = "header";
  private CRC32C crc;

  /** Index in {@code buf} from which consumed payload bytes are not yet checksummed. */
  private int crcMark;

  private long sectionEnd = -1;

  SectionReader(Path file, FileChannel ch) throws IOException {
    this.file = file;
    this.ch = ch;
    this.fileSize = ch.size();
    buf.limit(0);
  }

  /** The file being read, for error messages. */
  Path file() {
    return file;
  }

  long position() {
    return bufStart + buf.position();
  }

  private void need(int n) throws IOException {
    if (buf.remaining() >= n) {
      return;
    }
    if (crc != null) {
      crc.update(buf.array(), crcMark, buf.position() - crcMark);
      crcMark = 0;
    }
    bufStart += buf.position();
    buf.compact();
    while (buf.position() < n) {
      if (ch.read(buf) < 0) {
        buf.flip();
        throw new CorruptIndexException(file, section, "file is truncated");
      }
    }
    buf.flip();
  }

  long beginSection(String name, long expectedLength) throws IOException {
    section = name;
    int nameLen = getInt();
    if (nameLen < 1 || nameLen > 64) {
      throw new CorruptIndexException(file, name, "bad section name length " + nameLen);
    }
    String actual = new String(bytes(name, nameLen), StandardCharsets.US_ASCII);
    if (!actual.equals(name)) {
      throw new CorruptIndexException(
          file, name, "expected section '" + name + "', found '" + actual + "'");
    }
    long len = getLong();
    if (len < 0 || (expectedLength >= 0 && len != expectedLength)) {
      throw new CorruptIndexException(
          file,
          name,
          "payload length " + len + (expectedLength >= 0 ? ", expected " + expectedLength : ""));
    }
    if (position() + len + 4 > fileSize) {
      throw new CorruptIndexException(
          file,
          name,
          "file is truncated: section needs "
              + (len + 4)
              + " bytes, "
              + (fileSize - position())
              + " remain");
    }
    if (len > Integer.MAX_VALUE && expectedLength < 0) {
      throw new CorruptIndexException(file, name, "payload length " + len + " is implausible");
    }
    crc = new CRC32C();
    crcMark = buf.position();
    sectionEnd = position() + len;
    return len;
  }

  void endSection() throws IOException {
    if (position() != sectionEnd) {
      throw new CorruptIndexException(
          file, section, "payload holds " + (sectionEnd - position()) + " unread bytes");
    }
    crc.update(buf.array(), crcMark, buf.position() - crcMark);
    long value = crc.getValue();
    crc = null;
    if (getInt() != (int) value) {
      throw new CorruptIndexException(file, section, "checksum mismatch");
    }
  }

  /** Where a section's payload lies in the file, and the checksum stored after it. */
  record Span(String name, long offset, long length, int checksum) {}

  /**
   * Reads a section's framing and checksum but not its payload, which the caller maps; the length
   * is checked against {@code expectedLength} and the file size like {@link #beginSection}'s.
   */
  Span skipSection(String name, long expectedLength) throws IOException {
    beginSection(name, expectedLength);
    long offset = position();
    crc = null;
    if (sectionEnd <= bufStart + buf.limit()) {
      buf.position((int) (sectionEnd - bufStart));
    } else {
      bufStart = sectionEnd;
      buf.clear().limit(0);
      ch.position(sectionEnd);
    }
    return new Span(name, offset, sectionEnd - offset, getInt());
  }

  int headerInt(CRC32C c) throws IOException {
    int v = getInt();
    c.update(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
    return v;
  }

  int intLe(String where) throws IOException {
    return getInt();
  }

  byte[] bytes(String where, int n) throws IOException {
    byte[] b = new byte[n];
    readFully(b, 0, n);
    return b;
  }

  /** Reads {@code n} bytes into {@code dst[off..]}. */
  void readFully(byte[] dst, int off, int n) throws IOException {
    while (n > 0) {
      need(1);
      int k = Math.min(buf.remaining(), n);
      buf.get(dst, off, k);
      off += k;
      n -= k;
    }
  }

  /** Reads {@code n} little-endian longs into {@code dst[off..]}, a buffer's worth at a time. */
  void readLongs(long[] dst, int off, int n) throws IOException {
    while (n > 0) {
      need(8);
      int k = Math.min(buf.remaining() / 8, n);
      buf.asLongBuffer().get(dst, off, k);
      buf.position(buf.position() + 8 * k);
      off += k;
      n -= k;
    }
  }

  /** Reads {@code n} little-endian floats into {@code dst[off..]}. */
  void readFloats(float[] dst, int off, int n) throws IOException {
    while (n > 0) {
      need(4);
      int k = Math.min(buf.remaining() / 4, n);
      buf.asFloatBuffer().get(dst, off, k);
      buf.position(buf.position() + 4 * k);
      off += k;
      n -= k;
    }
  }

  /** Reads {@code n} little-endian shorts into {@code dst[off..]}. */
  void readShorts(short[] dst, int off, int n) throws IOException {
    while (n > 0) {
      need(2);
      int k = Math.min(buf.remaining() / 2, n);
      buf.asShortBuffer().get(dst, off, k);
      buf.position(buf.position() + 2 * k);
      off += k;
      n -= k;
    }
  }

  long getLong() throws IOException {
    need(8);
    return buf.getLong();
  }

  int getInt() throws IOException {
    need(4);
    return buf.getInt();
  }

  double getDouble() throws IOException {
    need(8);
    return buf.getDouble();
  }

  float getFloat() throws IOException {
    need(4);
    return buf.getFloat();
  }

  short getShort() throws IOException {
    need(2);
    return buf.getShort();
  }

  byte getByte() throws IOException {
    need(1);
    return buf.get();
  }

  String string(String where) throws IOException {
    int n = getInt();
    if (n < 0 || position() + n > sectionEnd) {
      throw new CorruptIndexException(file, where, "string length " + n + " overruns section");
    }
    return new String(bytes(where, n), StandardCharsets.UTF_8);
  }
}
