package org.cbmir.index;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.ModelMismatchException;
import org.cbmir.api.NoduleClass;
import org.roaringbitmap.RoaringBitmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index file format, version 1. All numbers little-endian.
 *
 * <pre>
 * header   magic "CBMIRIDX", int version, int bits, int featureDimension, int count,
 *          int fingerprintLength, fingerprint (UTF-8), int sectionCount, int CRC32C(header so far)
 * section  int nameLength, name (ASCII), long payloadLength, payload, int CRC32C(payload)
 *          codes       count * ceil(bits/64) longs
 *          features    count * featureDimension floats, row-major
 *          series      int n, then n x (patientId, studyUid, seriesUid) as int length + UTF-8
 *          slices      count x (int series, int sliceIndex, double z, byte class, float diameter)
 *          tombstones  a serialized RoaringBitmap
 * trailer  magic "CBMIREND"
 * </pre>
 *
 * <p>Saving writes a temporary file beside the target, forces it to disk and renames it over the
 * target, so a failed save leaves the previous file intact. Loading checks every length against
 * the header and the file size and every checksum before it builds the index, so it never returns
 * a partial index.
 *
 * <p>Thread-safety: stateless; the caller holds the index's lock.
 */
final class IndexFile {
  static final int VERSION = 1;
  private static final byte[] MAGIC = "CBMIRIDX".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "CBMIREND".getBytes(StandardCharsets.US_ASCII);
  private static final String[] SECTIONS = {"codes", "features", "series", "slices", "tombstones"};
  private static final int SLICE_RECORD = 4 + 4 + 8 + 1 + 4;
  private static final int CHUNK = 1 << 20;
  private static final Logger LOG = LoggerFactory.getLogger(IndexFile.class);

  private IndexFile() {}

  // ------------------------------------------------------------------ write

  static void write(HammingRetrievalIndex index, Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "folder for the index does not exist");
    }
    Path tmp = target.resolveSibling(
        target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    boolean done = false;
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      Writer w = new Writer(ch);
      writeHeader(w, index);
      writeCodes(w, index);
      writeFeatures(w, index);
      writeSeries(w, index);
      writeSlices(w, index);
      writeTombstones(w, index);
      w.raw(END);
      w.flush();
      ch.force(true);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp);
      }
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(tmp);
      throw e;
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    syncDirectory(dir);
  }

  private static void syncDirectory(Path dir) {
    if (dir == null) {
      return;
    }
    // Makes the rename durable on Linux; other systems may refuse to open a folder, which is fine.
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debug("could not sync folder {}: {}", dir, e.toString());
    }
  }

  private static void writeHeader(Writer w, HammingRetrievalIndex index) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(256 + index.modelFingerprint().length() * 4)
        .order(ByteOrder.LITTLE_ENDIAN);
    byte[] fp = index.modelFingerprint().getBytes(StandardCharsets.UTF_8);
    h.put(MAGIC).putInt(VERSION).putInt(index.bits()).putInt(index.featureDimension())
        .putInt(index.count()).putInt(fp.length).put(fp).putInt(SECTIONS.length);
    CRC32C crc = new CRC32C();
    crc.update(h.array(), 0, h.position());
    h.putInt((int) crc.getValue());
    w.raw(java.util.Arrays.copyOf(h.array(), h.position()));
  }

  private static void writeCodes(Writer w, HammingRetrievalIndex index) throws IOException {
    long[] codes = index.codes();
    int n = index.count() * index.words();
    w.beginSection("codes", 8L * n);
    for (int i = 0; i < n; i++) {
      w.putLong(codes[i]);
    }
    w.endSection();
  }

  private static void writeFeatures(Writer w, HammingRetrievalIndex index) throws IOException {
    int dim = index.featureDimension();
    int count = index.count();
    w.beginSection("features", 4L * count * dim);
    int rows = HammingRetrievalIndex.pageRows();
    for (int p = 0; (long) p * rows < count; p++) {
      float[] page = index.page(p);
      int n = Math.min(rows, count - p * rows) * dim;
      for (int i = 0; i < n; i++) {
        w.putFloat(page[i]);
      }
    }
    w.endSection();
  }

  private static void writeSeries(Writer w, HammingRetrievalIndex index) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      var series = index.slices().series();
      out.writeInt(Integer.reverseBytes(series.size()));
      for (SliceTable.Series s : series) {
        for (String v : new String[] {s.patientId(), s.studyUid(), s.seriesUid()}) {
          byte[] b = v.getBytes(StandardCharsets.UTF_8);
          out.writeInt(Integer.reverseBytes(b.length));
          out.write(b);
        }
      }
    }
    byte[] payload = bytes.toByteArray();
    w.beginSection("series", payload.length);
    w.putBytes(payload);
    w.endSection();
  }

  private static void writeSlices(Writer w, HammingRetrievalIndex index) throws IOException {
    SliceTable t = index.slices();
    int count = index.count();
    w.beginSection("slices", (long) SLICE_RECORD * count);
    for (int i = 0; i < count; i++) {
      w.putInt(t.seriesOf(i));
      w.putInt(t.sliceIndex(i));
      w.putDouble(t.zMm(i));
      w.putByte(t.classLabel(i));
      w.putFloat(t.diameterMm(i));
    }
    w.endSection();
  }

  private static void writeTombstones(Writer w, HammingRetrievalIndex index) throws IOException {
    RoaringBitmap t = index.tombstones().clone();
    t.runOptimize();
    ByteBuffer b = ByteBuffer.allocate(t.serializedSizeInBytes());
    t.serialize(b);
    w.beginSection("tombstones", b.capacity());
    w.putBytes(b.array());
    w.endSection();
  }

  /** Buffered little-endian writer that checksums each section's payload. */
  private static final class Writer {
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    private CRC32C crc;
    private long expected;
    private long written;

    Writer(FileChannel ch) {
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

  // ------------------------------------------------------------------ read

  static HammingRetrievalIndex read(Path file, String expectedFingerprint) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      Reader r = new Reader(file, ch);
      byte[] magic = r.bytes("header", MAGIC.length);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new CorruptIndexException(file, "header",
            "not a cbmir index (the file does not start with CBMIRIDX)");
      }
      CRC32C hcrc = new CRC32C();
      hcrc.update(magic);
      int version = r.headerInt(hcrc);
      if (version != VERSION) {
        throw new CorruptIndexException(file, "header", "format version " + version
            + "; this library reads version " + VERSION);
      }
      int bits = r.headerInt(hcrc);
      int dim = r.headerInt(hcrc);
      int count = r.headerInt(hcrc);
      int fpLen = r.headerInt(hcrc);
      if (bits < 1 || bits > 1024 || dim < 1 || count < 0 || fpLen < 1 || fpLen > 4096) {
        throw new CorruptIndexException(file, "header", "implausible values: bits=" + bits
            + ", dimension=" + dim + ", count=" + count + ", fingerprint length=" + fpLen);
      }
      byte[] fp = r.bytes("header", fpLen);
      hcrc.update(fp);
      int sections = r.headerInt(hcrc);
      int stored = r.intLe("header");
      if (stored != (int) hcrc.getValue()) {
        throw new CorruptIndexException(file, "header", "checksum mismatch");
      }
      if (sections != SECTIONS.length) {
        throw new CorruptIndexException(file, "header",
            sections + " sections; version " + VERSION + " has " + SECTIONS.length);
      }
      String fingerprint = new String(fp, StandardCharsets.UTF_8);
      if (expectedFingerprint != null && !expectedFingerprint.equals(fingerprint)) {
        throw new ModelMismatchException(file, expectedFingerprint, fingerprint);
      }
      int words = (bits + 63) >>> 6;
      long codeWords = (long) count * words;
      long featureCount = (long) count * dim;
      if (codeWords > Integer.MAX_VALUE - 8) {
        throw new CorruptIndexException(file, "header", count + " codes do not fit in memory");
      }

      long[] codes = new long[(int) Math.max(16, codeWords)];
      r.beginSection("codes", 8 * codeWords);
      for (int i = 0; i < codeWords; i++) {
        codes[i] = r.getLong();
      }
      r.endSection();

      int rows = HammingRetrievalIndex.pageRows();
      float[][] pages = new float[(int) ((count + (long) rows - 1) / rows)][];
      r.beginSection("features", 4 * featureCount);
      for (int p = 0; p < pages.length; p++) {
        pages[p] = new float[rows * dim];
        int n = Math.min(rows, count - p * rows) * dim;
        for (int i = 0; i < n; i++) {
          float v = r.getFloat();
          if (!Float.isFinite(v)) {
            throw new CorruptIndexException(file, "features",
                "non-finite feature " + v + " in row " + (p * rows + i / dim));
          }
          pages[p][i] = v;
        }
      }
      r.endSection();

      IndexConfig config = IndexConfig.builder().bits(bits).featureDimension(dim)
          .modelFingerprint(fingerprint).expectedSlices(0).build();
      HammingRetrievalIndex index = new HammingRetrievalIndex(config);
      SliceTable table = index.slices();

      long seriesLen = r.beginSection("series", -1);
      int nSeries = r.getInt();
      if (nSeries < 0 || nSeries > seriesLen / 12) {
        throw new CorruptIndexException(file, "series", "implausible series count " + nSeries);
      }
      for (int s = 0; s < nSeries; s++) {
        String patient = r.string("series");
        String study = r.string("series");
        String series = r.string("series");
        try {
          table.addSeries(new SliceTable.Series(patient, study, series));
        } catch (IllegalArgumentException e) {
          throw new CorruptIndexException(file, "series", e.getMessage());
        }
      }
      r.endSection();

      r.beginSection("slices", (long) SLICE_RECORD * count);
      for (int i = 0; i < count; i++) {
        int sid = r.getInt();
        int slice = r.getInt();
        double z = r.getDouble();
        byte label = r.getByte();
        float diameter = r.getFloat();
        if (sid < 0 || sid >= nSeries || slice < 0 || Double.isInfinite(z)
            || label < SliceTable.UNKNOWN_CLASS || label >= NoduleClass.COUNT
            || diameter < 0 || Float.isInfinite(diameter)) {
          throw new CorruptIndexException(file, "slices", "invalid record for ordinal " + i);
        }
        table.addRaw(sid, slice, z, label, diameter);
      }
      r.endSection();

      long tombLen = r.beginSection("tombstones", -1);
      byte[] tb = new byte[(int) tombLen];
      for (int i = 0; i < tb.length; i++) {
        tb[i] = r.getByte();
      }
      r.endSection();
      RoaringBitmap tombstones = new RoaringBitmap();
      try {
        tombstones.deserialize(ByteBuffer.wrap(tb));
      } catch (IOException | RuntimeException e) {
        throw new CorruptIndexException(file, "tombstones", "unreadable bitmap: " + e);
      }
      if (!tombstones.isEmpty() && (tombstones.first() < 0 || tombstones.last() >= count)) {
        throw new CorruptIndexException(file, "tombstones", "ordinal outside 0.." + (count - 1));
      }
      byte[] end = r.bytes("trailer", END.length);
      if (!java.util.Arrays.equals(end, END) || r.position() != ch.size()) {
        throw new CorruptIndexException(file, "trailer", "missing end marker or trailing bytes");
      }
      index.installLoaded(codes, pages, count, tombstones);
      return index;
    }
  }

  /** Buffered little-endian reader that checks lengths against the file and section checksums. */
  private static final class Reader {
    private final Path file;
    private final FileChannel ch;
    private final long fileSize;
    private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    private long bufStart;
    private String section = "header";
    private CRC32C crc;
    /** Index in {@code buf} from which consumed payload bytes are not yet checksummed. */
    private int crcMark;
    private long sectionEnd = -1;

    Reader(Path file, FileChannel ch) throws IOException {
      this.file = file;
      this.ch = ch;
      this.fileSize = ch.size();
      buf.limit(0);
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
}
