package org.cbmir.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.cbmir.api.CorruptIndexException;

/**
 * One section of a memory-mapped index file: its payload mapped read-only in chunks of whole
 * fixed-size records, and its checksum verified once, at open or by the first reader.
 *
 * <p>Why {@link java.nio.MappedByteBuffer}s and not a {@code MemorySegment}: the foreign memory API
 * is a preview in Java 21, the release this library targets, and preview class files run on that
 * release only. A buffer addresses at most 2 GiB, hence the chunks; each holds a power of two of
 * records (at most 1 GiB), so a record never straddles two.
 *
 * <p>Faults: the JVM turns a read from a page that no longer exists (the file was truncated by
 * another program while mapped) into an {@link InternalError}; {@link #fault} turns that into the
 * exception a caller can act on. There is no public way to unmap a buffer before Java 22: the
 * mapping goes when the garbage collector frees the buffers after the index is closed.
 *
 * <p>Thread-safety: thread-safe. Readers use absolute gets only, which never move a buffer's
 * position; verification runs once, under this object's monitor.
 */
final class MappedSection {
  /** Largest chunk mapped at once. */
  static final long MAX_CHUNK_BYTES = 1L << 30;

  private final Path file;
  private final SectionReader.Span span;
  private final int recordBytes;
  private final int shift;
  private final ByteBuffer[] chunks;
  private volatile boolean verified;
  private volatile CorruptIndexException failure;

  private MappedSection(
      Path file, SectionReader.Span span, int recordBytes, int shift, ByteBuffer[] chunks) {
    this.file = file;
    this.span = span;
    this.recordBytes = recordBytes;
    this.shift = shift;
    this.chunks = chunks;
  }

  /** Maps {@code span}, made of records of {@code recordBytes} bytes each. */
  static MappedSection map(FileChannel ch, Path file, SectionReader.Span span, int recordBytes)
      throws IOException {
    if (span.length() % recordBytes != 0) {
      throw new CorruptIndexException(
          file,
          span.name(),
          "payload length "
              + span.length()
              + " is not a whole number of "
              + recordBytes
              + "-byte records");
    }
    int shift = 63 - Long.numberOfLeadingZeros(Math.max(1, MAX_CHUNK_BYTES / recordBytes));
    long chunkBytes = (long) recordBytes << shift;
    int n = (int) ((span.length() + chunkBytes - 1) / chunkBytes);
    ByteBuffer[] chunks = new ByteBuffer[n];
    for (int i = 0; i < n; i++) {
      long start = (long) i * chunkBytes;
      long len = Math.min(chunkBytes, span.length() - start);
      chunks[i] =
          ch.map(FileChannel.MapMode.READ_ONLY, span.offset() + start, len)
              .order(ByteOrder.LITTLE_ENDIAN);
    }
    return new MappedSection(file, span, recordBytes, shift, chunks);
  }

  String name() {
    return span.name();
  }

  long length() {
    return span.length();
  }

  /** Number of chunks; chunk {@code i} holds records {@code i << chunkShift()} onwards. */
  int chunkCount() {
    return chunks.length;
  }

  /** Log2 of the records per chunk. */
  int chunkShift() {
    return shift;
  }

  /** Chunk {@code i}, little-endian; read it with absolute gets only. */
  ByteBuffer chunk(int i) {
    return chunks[i];
  }

  /** The chunk holding {@code record}, after the first use has verified the checksum. */
  ByteBuffer chunkOf(int record) {
    ensureVerified();
    return chunks[record >>> shift];
  }

  /** Byte offset of {@code record} within {@link #chunkOf}. */
  int offsetOf(int record) {
    return (record & ((1 << shift) - 1)) * recordBytes;
  }

  /** Verifies the checksum now, unless already done; a mismatch is reported as corrupt. */
  void verify() throws CorruptIndexException {
    if (!verified) {
      verifyOnce();
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** {@link #verify} for readers that cannot throw checked exceptions. */
  void ensureVerified() {
    if (verified && failure == null) {
      return;
    }
    try {
      verify();
    } catch (CorruptIndexException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  private synchronized void verifyOnce() {
    if (verified) {
      return;
    }
    CRC32C crc = new CRC32C();
    try {
      for (ByteBuffer c : chunks) {
        crc.update(c.duplicate().clear());
      }
      if ((int) crc.getValue() != span.checksum()) {
        failure = new CorruptIndexException(file, span.name(), "checksum mismatch");
      }
    } catch (InternalError e) {
      failure = fault(file, span.name(), e);
    }
    verified = true;
  }

  /**
   * The exception for a fault while reading a mapped file: it shrank or went away underneath the
   * index.
   */
  static CorruptIndexException fault(Path file, String section, InternalError e) {
    CorruptIndexException c =
        new CorruptIndexException(
            file,
            section,
            "the file changed or shrank while the index had it mapped ("
                + e.getMessage()
                + "); reopen the index");
    c.initCause(e);
    return c;
  }

  /** An unchecked report that this section holds a record that no save writes. */
  UncheckedIOException corrupt(String reason) {
    CorruptIndexException e = new CorruptIndexException(file, span.name(), reason);
    return new UncheckedIOException(e.getMessage(), e);
  }

  /** Writes this section's payload as section {@code name} (a saved copy of a mapped index). */
  void copyTo(SectionWriter w) throws IOException {
    verify();
    w.beginSection(span.name(), span.length());
    byte[] buf = new byte[1 << 16];
    for (ByteBuffer c : chunks) {
      for (int pos = 0; pos < c.capacity(); pos += buf.length) {
        int n = Math.min(buf.length, c.capacity() - pos);
        c.get(pos, buf, 0, n);
        w.putBytes(buf, 0, n);
      }
    }
    w.endSection();
  }
}
