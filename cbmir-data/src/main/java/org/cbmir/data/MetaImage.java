package org.cbmir.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cbmir.api.CtVolume;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.VolumeReader;

/**
 * Reads and writes MetaImage volumes ({@code .mhd} header plus {@code .raw} data), the format of
 * LUNA16. Supported: 3-D, uncompressed, element types MET_SHORT, MET_USHORT, MET_FLOAT, MET_UCHAR,
 * MET_CHAR, MET_INT, either byte order, data in a separate file or {@code LOCAL}, and axis-aligned
 * transform matrices (axes may be flipped; slices are reordered so that z ascends).
 *
 * <p>LUNA16 names each file by its SeriesInstanceUID and has no patient ID, so the file stem serves
 * as both series UID and patient ID.
 *
 * <pre>{@code
 * CtVolume v = MetaImage.read(Path.of("subset0/1.3.6...192.mhd"));
 * MetaImage.write(v, Path.of("out/copy.mhd"), MetaImage.ElementType.MET_SHORT);
 * }</pre>
 *
 * <p>Thread-safety: stateless; all methods are thread-safe.
 */
public final class MetaImage implements VolumeReader {
  /** Largest plausible magnitude of a position in patient coordinates, in mm (10 m). */
  static final double MAX_POSITION_MM = 10_000;

  /** Element types this class writes. Thread-safety: immutable. */
  public enum ElementType {
    /** 16-bit signed integers: HU rounded, the usual CT storage. */
    MET_SHORT,
    /** 32-bit floats: HU as they are. */
    MET_FLOAT
  }

  /** Creates a reader; also called by {@link java.util.ServiceLoader}. */
  public MetaImage() {}

  @Override
  public String name() {
    return "metaimage";
  }

  @Override
  public boolean canRead(Path path) {
    if (Files.isDirectory(path)) {
      try (var s = Files.walk(path)) {
        return s.limit(100_000).anyMatch(MetaImage::isHeader);
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }
    return isHeader(path);
  }

  static boolean isHeader(Path p) {
    return Files.isRegularFile(p)
        && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mhd");
  }

  /**
   * Reads every CT volume under {@code path}; files that cannot be read are reported to the
   * listener and skipped. Volumes come labelled slice by slice where LUNA16 annotations lie beside
   * them ({@link Annotations}).
   */
  @Override
  public List<CtVolume> read(Path path, ReadListener listener) throws IOException {
    return Annotations.attach(path, readUnlabelled(path, listener), listener).stream()
        .map(DatasetExporter.Source::volume)
        .toList();
  }

  /** The volumes without looking for annotations. */
  List<CtVolume> readUnlabelled(Path path, ReadListener listener) throws IOException {
    if (Files.isRegularFile(path)) {
      return List.of(read(path));
    }
    List<Path> headers;
    try (var s = Files.walk(path)) {
      headers = s.filter(MetaImage::isHeader).sorted().toList();
    }
    List<CtVolume> out = new ArrayList<>();
    int done = 0;
    for (Path h : headers) {
      try {
        out.add(read(h));
      } catch (UnreadableInputException e) {
        listener.skipped(h, e);
      }
      listener.progress(++done, headers.size());
    }
    return out;
  }

  /**
   * Reads one volume.
   *
   * @throws NoSuchFileException if the header is missing
   * @throws UnreadableInputException if the header is malformed or unsupported, or the data file is
   *     missing or has the wrong size
   */
  public static CtVolume read(Path mhd) throws IOException {
    if (!Files.exists(mhd)) {
      throw new NoSuchFileException(mhd.toString());
    }
    Map<String, String> h = new LinkedHashMap<>();
    long headerBytes = 0;
    try (InputStream in = Files.newInputStream(mhd)) {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        headerBytes++;
        if (c == '\n') {
          String l = line.toString().trim();
          line.setLength(0);
          if (l.isEmpty()) {
            continue;
          }
          int eq = l.indexOf('=');
          if (eq < 0) {
            throw new UnreadableInputException(mhd, "header line without '=': '" + l + "'");
          }
          String key = l.substring(0, eq).trim();
          h.put(key, l.substring(eq + 1).trim());
          if (key.equals("ElementDataFile")) {
            break;
          }
        } else {
          line.append((char) c);
          if (line.length() > 4096) {
            throw new UnreadableInputException(mhd, "not a MetaImage header (line too long)");
          }
        }
      }
    }
    int ndims = intValue(h, "NDims", mhd);
    if (ndims != 3) {
      throw new UnreadableInputException(mhd, "NDims = " + ndims + "; only 3-D volumes are read");
    }
    if (Boolean.parseBoolean(h.getOrDefault("CompressedData", "False"))) {
      throw new UnreadableInputException(mhd, "CompressedData = True is not supported");
    }
    int[] dim = ints(h, "DimSize", 3, mhd);
    double[] spacing =
        doubles(h, h.containsKey("ElementSpacing") ? "ElementSpacing" : "ElementSize", 3, mhd);
    double[] offset =
        h.containsKey("Offset")
            ? doubles(h, "Offset", 3, mhd)
            : h.containsKey("Position") ? doubles(h, "Position", 3, mhd) : new double[3];
    String matrixKey =
        h.containsKey("TransformMatrix")
            ? "TransformMatrix"
            : h.containsKey("Rotation")
                ? "Rotation"
                : h.containsKey("Orientation") ? "Orientation" : null;
    double[] m =
        matrixKey == null
            ? new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}
            : doubles(h, matrixKey, 9, mhd);
    for (int i = 0; i < 9; i++) {
      boolean diagonal = i % 4 == 0;
      if (diagonal ? Math.abs(Math.abs(m[i]) - 1) > 1e-6 : Math.abs(m[i]) > 1e-6) {
        throw new UnreadableInputException(
            mhd,
            matrixKey
                + " = "
                + h.get(matrixKey)
                + " is not axis-aligned; oblique volumes are not supported");
      }
    }
    for (int i = 0; i < 3; i++) {
      if (dim[i] < 1 || !(spacing[i] > 0)) {
        throw new UnreadableInputException(
            mhd,
            "DimSize and element spacing must be positive, got "
                + h.get("DimSize")
                + " and "
                + h.get("ElementSpacing"));
      }
      // The same plausible range as the DICOM reader's pixel spacing; slices up to 5x thicker.
      double max = i < 2 ? DicomSeriesReader.MAX_SPACING_MM : 5 * DicomSeriesReader.MAX_SPACING_MM;
      if (!(spacing[i] >= DicomSeriesReader.MIN_SPACING_MM && spacing[i] <= max)) {
        throw new UnreadableInputException(
            mhd,
            "element spacing "
                + spacing[i]
                + " mm (axis "
                + i
                + ") is outside the plausible "
                + DicomSeriesReader.MIN_SPACING_MM
                + ".."
                + max
                + " mm");
      }
      if (!Double.isFinite(offset[i]) || Math.abs(offset[i]) > MAX_POSITION_MM) {
        throw new UnreadableInputException(
            mhd,
            "Offset "
                + offset[i]
                + " mm (axis "
                + i
                + ") is outside the plausible -"
                + MAX_POSITION_MM
                + ".."
                + MAX_POSITION_MM
                + " mm");
      }
    }
    String type = value(h, "ElementType", mhd);
    int bytesPer =
        switch (type) {
          case "MET_SHORT", "MET_USHORT" -> 2;
          case "MET_FLOAT", "MET_INT", "MET_UINT" -> 4;
          case "MET_UCHAR", "MET_CHAR" -> 1;
          default ->
              throw new UnreadableInputException(
                  mhd,
                  "ElementType "
                      + type
                      + " is not supported; supported: MET_SHORT, MET_USHORT, MET_FLOAT, MET_INT, MET_UCHAR,"
                      + " MET_CHAR");
        };
    boolean msb =
        Boolean.parseBoolean(
            h.getOrDefault(
                "BinaryDataByteOrderMSB", h.getOrDefault("ElementByteOrderMSB", "False")));
    String dataFile = value(h, "ElementDataFile", mhd);
    Path raw;
    long skip;
    if (dataFile.equals("LOCAL")) {
      raw = mhd;
      skip = headerBytes;
    } else {
      raw = dataFileOf(mhd, dataFile);
      skip = 0;
    }
    long n = (long) dim[0] * dim[1] * dim[2];
    if (n > Integer.MAX_VALUE - 8) {
      throw new UnreadableInputException(mhd, "volume of " + n + " voxels is too large");
    }
    if (!Files.isRegularFile(raw)) {
      throw new UnreadableInputException(
          mhd,
          "data file " + raw + (Files.exists(raw) ? " is not a regular file" : " does not exist"));
    }
    long need = n * bytesPer;
    long have = Files.size(raw) - skip;
    if (have != need) {
      throw new UnreadableInputException(
          raw,
          "data file holds "
              + have
              + " bytes; "
              + dim[0]
              + "x"
              + dim[1]
              + "x"
              + dim[2]
              + " "
              + type
              + " needs "
              + need);
    }
    float[] hu = new float[(int) n];
    ByteBuffer buf =
        ByteBuffer.allocate(1 << 20).order(msb ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.READ)) {
      ch.position(skip);
      int i = 0;
      while (i < n) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), (n - i) * bytesPer));
        while (buf.hasRemaining()) {
          if (ch.read(buf) < 0) {
            throw new UnreadableInputException(raw, "data file is truncated");
          }
        }
        buf.flip();
        while (buf.hasRemaining()) {
          hu[i++] =
              switch (type) {
                case "MET_SHORT" -> buf.getShort();
                case "MET_USHORT" -> buf.getShort() & 0xffff;
                case "MET_FLOAT" -> buf.getFloat();
                case "MET_INT" -> buf.getInt();
                case "MET_UINT" -> buf.getInt() & 0xffffffffL;
                case "MET_UCHAR" -> buf.get() & 0xff;
                default -> buf.get();
              };
        }
      }
    }
    for (int i = 0; i < hu.length; i++) {
      if (!Float.isFinite(hu[i])) {
        throw new UnreadableInputException(raw, "voxel " + i + " is not finite: " + hu[i]);
      }
    }
    int w = dim[0];
    int hgt = dim[1];
    int d = dim[2];
    float[] ordered = flip(hu, w, hgt, d, m[0] < 0, m[4] < 0, m[8] < 0);
    double[] z = new double[d];
    double z0 = m[8] < 0 ? offset[2] - (d - 1) * spacing[2] : offset[2];
    for (int k = 0; k < d; k++) {
      z[k] = z0 + k * spacing[2];
    }
    double x0 = m[0] < 0 ? offset[0] - (w - 1) * spacing[0] : offset[0];
    double y0 = m[4] < 0 ? offset[1] - (hgt - 1) * spacing[1] : offset[1];
    String stem = mhd.getFileName().toString().replaceFirst("(?i)\\.mhd$", "");
    try {
      return CtVolume.builder()
          .size(w, hgt)
          .hu(ordered)
          .pixelSpacingMm(spacing[1], spacing[0])
          .zPositionsMm(z)
          .originMm(x0, y0, z0)
          .ids(stem, "", stem)
          .build();
    } catch (IllegalArgumentException e) {
      // The checks above should leave nothing for the volume to refuse; if they do not, the
      // file is still what is wrong, and the caller hears so by name.
      throw new UnreadableInputException(mhd, e.getMessage(), e);
    }
  }

  private static float[] flip(float[] v, int w, int h, int d, boolean fx, boolean fy, boolean fz) {
    if (!fx && !fy && !fz) {
      return v;
    }
    float[] out = new float[v.length];
    for (int k = 0; k < d; k++) {
      int sk = fz ? d - 1 - k : k;
      for (int y = 0; y < h; y++) {
        int sy = fy ? h - 1 - y : y;
        for (int x = 0; x < w; x++) {
          int sx = fx ? w - 1 - x : x;
          out[(k * h + y) * w + x] = v[(sk * h + sy) * w + sx];
        }
      }
    }
    return out;
  }

  /**
   * Writes a volume as {@code file} (header) plus a {@code .raw} beside it, identity transform,
   * little-endian.
   */
  public static void write(CtVolume v, Path mhd, ElementType type) throws IOException {
    String stem = mhd.getFileName().toString().replaceFirst("(?i)\\.mhd$", "");
    Path raw = mhd.resolveSibling(stem + ".raw");
    double[] o = v.originMm();
    double dz = v.depth() > 1 ? (v.zMm(v.depth() - 1) - v.zMm(0)) / (v.depth() - 1) : 1.0;
    String header =
        String.join(
                "\n",
                "ObjectType = Image",
                "NDims = 3",
                "BinaryData = True",
                "BinaryDataByteOrderMSB = False",
                "CompressedData = False",
                "TransformMatrix = 1 0 0 0 1 0 0 0 1",
                String.format(Locale.ROOT, "Offset = %s %s %s", o[0], o[1], v.zMm(0)),
                "CenterOfRotation = 0 0 0",
                "AnatomicalOrientation = RAI",
                String.format(
                    Locale.ROOT,
                    "ElementSpacing = %s %s %s",
                    v.columnSpacingMm(),
                    v.rowSpacingMm(),
                    dz),
                "DimSize = " + v.width() + " " + v.height() + " " + v.depth(),
                "ElementType = " + type.name(),
                "ElementDataFile = " + raw.getFileName())
            + "\n";
    int plane = v.width() * v.height();
    int bytesPer = type == ElementType.MET_SHORT ? 2 : 4;
    ByteBuffer buf = ByteBuffer.allocate(plane * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
    float[] slice = new float[plane];
    try (FileChannel ch =
        FileChannel.open(
            raw,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (int k = 0; k < v.depth(); k++) {
        v.copySliceInto(k, slice, 0);
        buf.clear();
        for (float f : slice) {
          if (type == ElementType.MET_SHORT) {
            buf.putShort(
                (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(f))));
          } else {
            buf.putFloat(f);
          }
        }
        buf.flip();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }
    Files.writeString(mhd, header, StandardCharsets.US_ASCII);
  }

  private static String value(Map<String, String> h, String key, Path f)
      throws UnreadableInputException {
    String v = h.get(key);
    if (v == null || v.isEmpty()) {
      throw new UnreadableInputException(f, "header has no " + key);
    }
    return v;
  }

  private static int intValue(Map<String, String> h, String key, Path f)
      throws UnreadableInputException {
    return ints(h, key, 1, f)[0];
  }

  private static int[] ints(Map<String, String> h, String key, int n, Path f)
      throws UnreadableInputException {
    double[] d = doubles(h, key, n, f);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      if (d[i] != Math.rint(d[i])) {
        throw new UnreadableInputException(f, key + " must hold integers, got " + h.get(key));
      }
      out[i] = (int) d[i];
    }
    return out;
  }

  private static double[] doubles(Map<String, String> h, String key, int n, Path f)
      throws UnreadableInputException {
    String[] parts = value(h, key, f).split("\\s+", -1);
    if (parts.length != n) {
      throw new UnreadableInputException(
          f, key + " needs " + n + " values, got '" + h.get(key) + "'");
    }
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      try {
        out[i] = Double.parseDouble(parts[i]);
      } catch (NumberFormatException e) {
        throw new UnreadableInputException(f, key + " is not numeric: '" + h.get(key) + "'");
      }
      if (!Double.isFinite(out[i])) {
        throw new UnreadableInputException(f, key + " is not finite: '" + h.get(key) + "'");
      }
    }
    return out;
  }

  /**
   * The data file a header names, which must lie in the header's folder or below it: a header from
   * outside must not make the reader open {@code /etc/hostname} as voxels.
   */
  private static Path dataFileOf(Path mhd, String name) throws UnreadableInputException {
    Path folder = mhd.toAbsolutePath().normalize().getParent();
    Path raw;
    try {
      raw = folder.resolve(name).normalize();
    } catch (InvalidPathException e) {
      throw new UnreadableInputException(
          mhd,
          "ElementDataFile '"
              + name.replace("\0", "\\0")
              + "' is not a valid file name: "
              + e.getReason());
    }
    if (!raw.startsWith(folder) || raw.equals(folder)) {
      throw new UnreadableInputException(
          mhd,
          "ElementDataFile '"
              + name
              + "' must name a file"
              + " in the header's folder "
              + folder
              + " (or below it)");
    }
    return raw;
  }
}
