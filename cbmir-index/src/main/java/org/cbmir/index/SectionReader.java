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
      throw new CorruptIndexException(file, name, "expected section '" + name + "', found '"
          + actual + "'");
    }
    long len = getLong();
    if (len < 0 || (expectedLength >= 0 && len != expectedLength)) {
      throw new CorruptIndexException(file, name, "payload length " + len
          + (expectedLength >= 0 ? ", expected " + expectedLength : ""));
    }
    if (position() + len + 4 > fileSize) {
      throw new CorruptIndexException(file, name, "file is truncated: section needs "
          + (len + 4) + " bytes, " + (fileSize - position()) + " remain");
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
      throw new CorruptIndexException(file, section, "payload holds "
          + (sectionEnd - position()) + " unread bytes");
    }
    crc.update(buf.array(), crcMark, buf.position() - crcMark);
    long value = crc.getValue();
    crc = null;
    if (getInt() != (int) value) {
      throw new CorruptIndexException(file, section, "checksum mismatch");
    }
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
    int off = 0;
    while (off < n) {
      need(1);
      int k = Math.min(buf.remaining(), n - off);
      buf.get(b, off, k);
      off += k;
    }
    return b;
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
