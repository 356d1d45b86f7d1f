package org.cbmir.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.ModelMismatchException;
import org.cbmir.api.OpenOptions;
import org.roaringbitmap.RoaringBitmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index file format, versions 1 and 2. All numbers little-endian.
 *
 * <pre>
 * header   magic "CBMIRIDX", int version, int bits, int featureDimension, int count,
 *          [version 2: int featureStorage, 1 = INT8, 2 = INT8_RESCORED, 3 = FLOAT16]
 *          int fingerprintLength, fingerprint (UTF-8), int sectionCount, int CRC32C(header so far)
 * section  int nameLength, name (ASCII), long payloadLength, payload, int CRC32C(payload)
 *          codes         count * ceil(bits/64) longs
 *          features-int8 (INT8, INT8_RESCORED) count x (float scale, featureDimension bytes)
 *          features      (FLOAT32, INT8_RESCORED) count * featureDimension floats, row-major
 *          features-f16  (FLOAT16) count * featureDimension IEEE 754 halves, row-major
 *          series      int n, then n x (patientId, studyUid, seriesUid) as int length + UTF-8
 *          slices      count x (int series, int sliceIndex, double z, byte class, float diameter)
 *          tombstones  a serialized RoaringBitmap
 * trailer  magic "CBMIREND"
 * </pre>
 *
 * <p>An index with float32 features is written as version 1, which every release reads; compact
 * features need version 2, which a version-1 reader refuses by its version number.
 *
 * <p>Saving refuses a target that exists and is not a regular file (a link, a device, a pipe),
 * writes a temporary file with a fixed name beside the target ({@code .NAME.cbmir-tmp}), forces it
 * to disk and renames it over the target, so a failed save leaves the previous file intact; a
 * temporary file left by a killed save is removed by the next save, or by an open once it is a
 * minute old. Loading checks every length against the header and the file size and every checksum
 * before it builds the index, so it never returns a partial index.
 *
 * <p>Thread-safety: stateless; the caller holds the index's lock.
 */
final class IndexFile {
  static final int VERSION = 1;

  /** The version of files whose features are not (only) float32. */
  static final int VERSION_COMPACT = 2;

  private static final byte[] MAGIC = "CBMIRIDX".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "CBMIREND".getBytes(StandardCharsets.US_ASCII);

  /** Sections after the feature sections: codes, features..., series, slices, tombstones. */
  private static final int OTHER_SECTIONS = 4;

  static final int CHUNK = 1 << 20;

  /** The section of float32 feature rows. */
  static final String FLOAT32_SECTION = "features";

  private static final Logger LOG = LoggerFactory.getLogger(IndexFile.class);

  private IndexFile() {}

  // ------------------------------------------------------------------ write

  /**
   * Writes snapshots of an index's parts to {@code file} (see the class comment); needs no lock:
   * the snapshots and the tombstone copy were taken under it.
   */
  static void write(
      Path file,
      IndexShape shape,
      FeatureStorage storage,
      int count,
      List<SectionSource> parts,
      RoaringBitmap tombstones)
      throws IOException {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "folder for the index does not exist");
    }
    // Only a regular file (or nothing) is replaced: never a link, a device, a pipe or a folder.
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileSystemException(
          target.toString(),
          null,
          "refusing to save over something"
              + " that is not a regular file ("
              + kind(target)
              + "); remove it or choose another path");
    }
    sweepStaleTemps(target, 0);
    Path tmp = tempFor(target);
    boolean done = false;
    FileChannel opened;
    try {
      opened = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      throw new FileSystemException(
          target.toString(),
          null,
          "another save to this path is in"
              + " progress (its temporary file "
              + tmp.getFileName()
              + " exists)");
    }
    try (FileChannel ch = opened) {
      SectionWriter w = new SectionWriter(ch);
      writeHeader(w, shape, storage, count, sectionsFor(storage));
      for (SectionSource part : parts) {
        part.writeTo(w);
      }
      writeTombstones(w, tombstones);
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

  /**
   * The temporary file of a save to {@code target}: one fixed, recognisable name per target, so
   * that a save killed half-way leaves one file that the next save or open removes, not a new one
   * each time.
   */
  static Path tempFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".cbmir-tmp");
  }

  /**
   * Removes temporary files of earlier saves to {@code target} not modified for {@code
   * olderThanMillis} (0: any): the fixed name, and the random names of version 0.1 saves.
   */
  static void sweepStaleTemps(Path target, long olderThanMillis) {
    Path dir = target.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      return;
    }
    String legacy = target.getFileName() + ".tmp-";
    long now = System.currentTimeMillis();
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        boolean ours =
            p.equals(tempFor(target))
                || (name.startsWith(legacy)
                    && name.substring(legacy.length()).matches("[0-9a-f]+"));
        if (ours
            && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            && now - Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis()
                >= olderThanMillis) {
          Files.deleteIfExists(p);
          LOG.info("removed {}, left by an interrupted save", p);
        }
      }
    } catch (IOException e) {
      LOG.debug("could not sweep temporary files beside {}: {}", target, e.toString());
    }
  }

  private static String kind(Path p) {
    if (Files.isSymbolicLink(p)) {
      return "a symbolic link";
    }
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "a folder" : "a special file";
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

  private static int sectionsFor(FeatureStorage storage) {
    return OTHER_SECTIONS + featureSections(storage).size();
  }

  /**
   * The header's code for a feature storage: fixed numbers, not the enum's order, so that adding a
   * constant never changes what a file means.
   */
  static int storageCode(FeatureStorage storage) {
    return switch (storage) {
      case FLOAT32 -> 0;
      case INT8 -> 1;
      case INT8_RESCORED -> 2;
      case FLOAT16 -> 3;
    };
  }

  /** The storage of a header code, or null for a code no release writes. */
  private static FeatureStorage storageOfCode(int code) {
    for (FeatureStorage s : FeatureStorage.values()) {
      if (storageCode(s) == code) {
        return s;
      }
    }
    return null;
  }

  /** The feature sections of an index with {@code storage}, in file order: ranking rows first. */
  static List<String> featureSections(FeatureStorage storage) {
    return switch (storage) {
      case FLOAT32 -> List.of(FLOAT32_SECTION);
      case INT8 -> List.of(Int8FeatureStore.SECTION);
      case INT8_RESCORED -> List.of(Int8FeatureStore.SECTION, FLOAT32_SECTION);
      case FLOAT16 -> List.of(Float16FeatureStore.SECTION);
    };
  }

  /** Bytes per row of a feature section. */
  private static int rowBytes(String section, int dim) {
    return switch (section) {
      case FLOAT32_SECTION -> 4 * dim;
      case Int8FeatureStore.SECTION -> 4 + dim;
      case Float16FeatureStore.SECTION -> 2 * dim;
      default -> throw new IllegalArgumentException("not a feature section: " + section);
    };
  }

  private static void writeHeader(
      SectionWriter w, IndexShape shape, FeatureStorage storage, int count, int sections)
      throws IOException {
    ByteBuffer h =
        ByteBuffer.allocate(256 + shape.fingerprint().length() * 4).order(ByteOrder.LITTLE_ENDIAN);
    byte[] fp = shape.fingerprint().getBytes(StandardCharsets.UTF_8);
    boolean compact = storage != FeatureStorage.FLOAT32;
    h.put(MAGIC)
        .putInt(compact ? VERSION_COMPACT : VERSION)
        .putInt(shape.bits())
        .putInt(shape.dimension())
        .putInt(count);
    if (compact) {
      h.putInt(storageCode(storage));
    }
    h.putInt(fp.length).put(fp).putInt(sections);
    CRC32C crc = new CRC32C();
    crc.update(h.array(), 0, h.position());
    h.putInt((int) crc.getValue());
    w.raw(Arrays.copyOf(h.array(), h.position()));
  }

  private static void writeTombstones(SectionWriter w, RoaringBitmap tombstones)
      throws IOException {
    RoaringBitmap t = tombstones;
    t.runOptimize();
    ByteBuffer b = ByteBuffer.allocate(t.serializedSizeInBytes());
    t.serialize(b);
    w.beginSection("tombstones", b.capacity());
    w.putBytes(b.array());
    w.endSection();
  }

  // ------------------------------------------------------------------ read

  /** What a file's header says. */
  private record Header(int bits, int dim, int count, FeatureStorage storage, String fingerprint) {
    IndexConfig config() {
      return IndexConfig.builder()
          .bits(bits)
          .featureDimension(dim)
          .modelFingerprint(fingerprint)
          .expectedSlices(0)
          .featureStorage(storage)
          .build();
    }
  }

  /** Reads a saved index into memory, checking everything (see the class comment). */
  static HammingRetrievalIndex read(Path file, String expectedFingerprint) throws IOException {
    checkReadable(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SectionReader r = new SectionReader(file, ch);
      Header h = readHeader(r, file, expectedFingerprint);
      HeapCodeStore codes = HeapCodeStore.read(r, h.bits(), h.count());
      List<FeatureStore> stores = new ArrayList<>();
      for (String section : featureSections(h.storage())) {
        stores.add(
            switch (section) {
              case FLOAT32_SECTION -> Float32FeatureStore.read(r, h.dim(), h.count());
              case Int8FeatureStore.SECTION -> Int8FeatureStore.read(r, h.dim(), h.count());
              default -> Float16FeatureStore.read(r, h.dim(), h.count());
            });
      }
      SliceTable table = HeapSliceTable.read(r, h.count());
      RoaringBitmap tombstones = readTombstones(r, file, h.count());
      checkTrailer(r, ch, file);
      return new HammingRetrievalIndex(
          h.config(),
          codes,
          stores.get(0),
          stores.size() > 1 ? stores.get(1) : null,
          table,
          tombstones,
          null);
    }
  }

  /**
   * Opens a saved index memory-mapped: reads the header, the codes (copied to the heap: the scan
   * streams them on every query, and runs fastest on a {@code long[]}), the series list and the
   * removed set; maps the feature rows and the slice records. Checksums of the mapped sections are
   * verified now or by their first reader, as {@code checksums} says.
   */
  static HammingRetrievalIndex map(
      Path file, String expectedFingerprint, OpenOptions.Checksums checksums) throws IOException {
    checkReadable(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      SectionReader r = new SectionReader(file, ch);
      Header h = readHeader(r, file, expectedFingerprint);
      HeapCodeStore codes = HeapCodeStore.read(r, h.bits(), h.count());
      List<MappedSection> mapped = new ArrayList<>();
      List<FeatureStore> stores = new ArrayList<>();
      for (String section : featureSections(h.storage())) {
        int row = rowBytes(section, h.dim());
        MappedSection m =
            MappedSection.map(ch, file, r.skipSection(section, (long) row * h.count()), row);
        mapped.add(m);
        stores.add(
            switch (section) {
              case FLOAT32_SECTION -> MappedFeatureStore.float32(m, h.dim(), h.count());
              case Int8FeatureStore.SECTION -> MappedFeatureStore.int8(m, h.dim(), h.count());
              default -> MappedFeatureStore.float16(m, h.dim(), h.count());
            });
      }
      List<SliceTable.Series> series = SliceTable.readSeries(r);
      MappedSection records =
          MappedSection.map(
              ch,
              file,
              r.skipSection("slices", (long) SliceTable.SLICE_RECORD * h.count()),
              SliceTable.SLICE_RECORD);
      mapped.add(records);
      RoaringBitmap tombstones = readTombstones(r, file, h.count());
      checkTrailer(r, ch, file);
      if (checksums == OpenOptions.Checksums.AT_OPEN) {
        for (MappedSection m : mapped) {
          m.verify();
        }
      }
      return new HammingRetrievalIndex(
          h.config(),
          codes,
          stores.get(0),
          stores.size() > 1 ? stores.get(1) : null,
          new MappedSliceTable(records, series, h.count()),
          tombstones,
          file);
    }
  }

  private static void checkReadable(Path file) throws IOException {
    // A save that is still running keeps touching its temporary file; one untouched for a
    // minute was interrupted.
    sweepStaleTemps(file, 60_000);
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "no index file there");
    }
    if (!Files.isRegularFile(file)) {
      throw new FileSystemException(
          file.toString(), null, "is " + kind(file) + ", expected an index file");
    }
  }

  private static Header readHeader(SectionReader r, Path file, String expectedFingerprint)
      throws IOException {
    byte[] magic = r.bytes("header", MAGIC.length);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new CorruptIndexException(
          file, "header", "not a cbmir index (the file does not start with CBMIRIDX)");
    }
    CRC32C hcrc = new CRC32C();
    hcrc.update(magic);
    int version = r.headerInt(hcrc);
    if (version != VERSION && version != VERSION_COMPACT) {
      throw new CorruptIndexException(
          file,
          "header",
          "format version "
              + version
              + "; this library reads versions "
              + VERSION
              + " and "
              + VERSION_COMPACT);
    }
    int bits = r.headerInt(hcrc);
    int dim = r.headerInt(hcrc);
    int count = r.headerInt(hcrc);
    FeatureStorage storage = FeatureStorage.FLOAT32;
    if (version == VERSION_COMPACT) {
      int s = r.headerInt(hcrc);
      storage = storageOfCode(s);
      if (storage == null || storage == FeatureStorage.FLOAT32) {
        throw new CorruptIndexException(file, "header", "unknown feature storage " + s);
      }
    }
    int fpLen = r.headerInt(hcrc);
    if (bits < 1 || bits > 1024 || dim < 1 || count < 0 || fpLen < 1 || fpLen > 4096) {
      throw new CorruptIndexException(
          file,
          "header",
          "implausible values: bits="
              + bits
              + ", dimension="
              + dim
              + ", count="
              + count
              + ", fingerprint length="
              + fpLen);
    }
    byte[] fp = r.bytes("header", fpLen);
    hcrc.update(fp);
    int sections = r.headerInt(hcrc);
    int stored = r.intLe("header");
    if (stored != (int) hcrc.getValue()) {
      throw new CorruptIndexException(file, "header", "checksum mismatch");
    }
    int expectedSections = sectionsFor(storage);
    if (sections != expectedSections) {
      throw new CorruptIndexException(
          file,
          "header",
          sections + " sections; an index with " + storage + " features has " + expectedSections);
    }
    String fingerprint = new String(fp, StandardCharsets.UTF_8);
    if (expectedFingerprint != null && !expectedFingerprint.equals(fingerprint)) {
      throw new ModelMismatchException(file, expectedFingerprint, fingerprint);
    }
    long codeWords = (long) count * ((bits + 63) >>> 6);
    if (codeWords > Integer.MAX_VALUE - 8) {
      throw new CorruptIndexException(file, "header", count + " codes do not fit in memory");
    }
    return new Header(bits, dim, count, storage, fingerprint);
  }

  private static RoaringBitmap readTombstones(SectionReader r, Path file, int count)
      throws IOException {
    long tombLen = r.beginSection("tombstones", -1);
    byte[] tb = r.bytes("tombstones", (int) tombLen);
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
    return tombstones;
  }

  private static void checkTrailer(SectionReader r, FileChannel ch, Path file) throws IOException {
    byte[] end = r.bytes("trailer", END.length);
    if (!Arrays.equals(end, END) || r.position() != ch.size()) {
      throw new CorruptIndexException(file, "trailer", "missing end marker or trailing bytes");
    }
  }
}
