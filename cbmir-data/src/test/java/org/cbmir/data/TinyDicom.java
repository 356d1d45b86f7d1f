package org.cbmir.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Writes small, valid DICOM Part-10 CT files (explicit VR little endian, 16-bit signed) for the
 * tests, with switches for the defects the reader must report.
 */
final class TinyDicom {
  String patientId = "TINY-1";
  String studyUid = "1.2.3.4";
  String seriesUid = "1.2.3.4.5";
  String modality = "CT";
  String transferSyntax = "1.2.840.10008.1.2.1";
  int width = 16;
  int height = 12;
  double[] position = {-10, -20, 0};
  double[] orientation = {1, 0, 0, 0, 1, 0};
  double[] spacing = {0.7, 0.8};
  Double intercept = -1024.0;
  Double slope = 1.0;
  boolean withSpacing = true;
  int instance = 1;

  /** Stored values (before rescale), row-major. */
  short[] stored;

  TinyDicom copy() {
    TinyDicom t = new TinyDicom();
    t.patientId = patientId;
    t.studyUid = studyUid;
    t.seriesUid = seriesUid;
    t.modality = modality;
    t.transferSyntax = transferSyntax;
    t.width = width;
    t.height = height;
    t.position = position.clone();
    t.orientation = orientation.clone();
    t.spacing = spacing.clone();
    t.intercept = intercept;
    t.slope = slope;
    t.withSpacing = withSpacing;
    t.instance = instance;
    t.stored = stored == null ? null : stored.clone();
    return t;
  }

  /** Fills the image so that HU = value(x, y, z) after rescale. */
  TinyDicom huFrom(java.util.function.IntBinaryOperator hu) {
    stored = new short[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double b = intercept == null ? -1024 : intercept;
        double m = slope == null ? 1 : slope;
        stored[y * width + x] = (short) Math.round((hu.applyAsInt(x, y) - b) / m);
      }
    }
    return this;
  }

  byte[] bytes() throws IOException {
    if (stored == null) {
      huFrom((x, y) -> x * 10 - 1000);
    }
    String sop = seriesUid + "." + instance;
    ByteArrayOutputStream ds = new ByteArrayOutputStream();
    List<Object[]> e = new ArrayList<>();
    e.add(new Object[] {0x0008, 0x0016, "UI", uid("1.2.840.10008.5.1.4.1.1.2")});
    e.add(new Object[] {0x0008, 0x0018, "UI", uid(sop)});
    e.add(new Object[] {0x0008, 0x0060, "CS", str(modality)});
    e.add(new Object[] {0x0010, 0x0020, "LO", str(patientId)});
    e.add(new Object[] {0x0020, 0x000D, "UI", uid(studyUid)});
    e.add(new Object[] {0x0020, 0x000E, "UI", uid(seriesUid)});
    e.add(new Object[] {0x0020, 0x0013, "IS", str(Integer.toString(instance))});
    e.add(new Object[] {0x0020, 0x0032, "DS", str(ds(position))});
    e.add(new Object[] {0x0020, 0x0037, "DS", str(ds(orientation))});
    e.add(new Object[] {0x0028, 0x0002, "US", us(1)});
    e.add(new Object[] {0x0028, 0x0004, "CS", str("MONOCHROME2")});
    e.add(new Object[] {0x0028, 0x0010, "US", us(height)});
    e.add(new Object[] {0x0028, 0x0011, "US", us(width)});
    if (withSpacing) {
      e.add(new Object[] {0x0028, 0x0030, "DS", str(ds(spacing))});
    }
    e.add(new Object[] {0x0028, 0x0100, "US", us(16)});
    e.add(new Object[] {0x0028, 0x0101, "US", us(16)});
    e.add(new Object[] {0x0028, 0x0102, "US", us(15)});
    e.add(new Object[] {0x0028, 0x0103, "US", us(1)});
    if (intercept != null) {
      e.add(new Object[] {0x0028, 0x1052, "DS", str(fmt(intercept))});
    }
    if (slope != null) {
      e.add(new Object[] {0x0028, 0x1053, "DS", str(fmt(slope))});
    }
    ByteBuffer px = ByteBuffer.allocate(stored.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short s : stored) {
      px.putShort(s);
    }
    e.add(new Object[] {0x7FE0, 0x0010, "OW", px.array()});
    e.sort(Comparator.<Object[]>comparingInt(a -> (int) a[0]).thenComparingInt(a -> (int) a[1]));
    for (Object[] el : e) {
      element(ds, (int) el[0], (int) el[1], (String) el[2], (byte[]) el[3]);
    }
    ByteArrayOutputStream meta = new ByteArrayOutputStream();
    element(meta, 0x0002, 0x0001, "OB", new byte[] {0, 1});
    element(meta, 0x0002, 0x0002, "UI", uid("1.2.840.10008.5.1.4.1.1.2"));
    element(meta, 0x0002, 0x0003, "UI", uid(sop));
    element(meta, 0x0002, 0x0010, "UI", uid(transferSyntax));
    element(meta, 0x0002, 0x0012, "UI", uid("1.2.3.999"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[128]);
    out.write("DICM".getBytes(StandardCharsets.US_ASCII));
    element(
        out,
        0x0002,
        0x0000,
        "UL",
        ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.size()).array());
    meta.writeTo(out);
    ds.writeTo(out);
    return out.toByteArray();
  }

  Path write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes());
    return file;
  }

  private static void element(
      ByteArrayOutputStream out, int group, int elem, String vr, byte[] value) {
    boolean longForm =
        vr.equals("OB") || vr.equals("OW") || vr.equals("SQ") || vr.equals("UN") || vr.equals("UT");
    ByteBuffer h = ByteBuffer.allocate(longForm ? 12 : 8).order(ByteOrder.LITTLE_ENDIAN);
    h.putShort((short) group).putShort((short) elem).put(vr.getBytes(StandardCharsets.US_ASCII));
    if (longForm) {
      h.putShort((short) 0).putInt(value.length);
    } else {
      h.putShort((short) value.length);
    }
    out.writeBytes(h.array());
    out.writeBytes(value);
  }

  private static byte[] str(String s) {
    String v = s.length() % 2 == 1 ? s + " " : s;
    return v.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] uid(String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    return b.length % 2 == 1 ? java.util.Arrays.copyOf(b, b.length + 1) : b;
  }

  private static byte[] us(int v) {
    return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
  }

  private static String fmt(double v) {
    if (v != 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) {
      return String.format(Locale.ROOT, "%.3e", v);
    }
    return String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static String ds(double[] v) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      b.append(i == 0 ? "" : "\\").append(fmt(v[i]));
    }
    return b.toString();
  }

  /** Writes a series of {@code n} slices, z = z0 + k * dz, in shuffled file order. */
  static List<Path> series(TinyDicom template, Path dir, int n, double z0, double dz)
      throws IOException {
    List<Path> files = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      TinyDicom t = template.copy();
      t.position = new double[] {template.position[0], template.position[1], z0 + k * dz};
      t.instance = k + 1;
      final int slice = k;
      t.huFrom((x, y) -> -1000 + 10 * x + 100 * slice);
      // File names deliberately out of slice order.
      files.add(t.write(dir.resolve(String.format(Locale.ROOT, "%06d.dcm", (k * 7919) % 1000))));
    }
    return files;
  }
}
