package org.cbmir.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import org.cbmir.api.CbmirException;
import org.cbmir.api.CtVolume;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(SeedReporter.class)
class DicomSeriesReaderTest {
  @TempDir Path dir;

  /** Collects what the reader skipped. */
  static final class Skips implements VolumeReader.ReadListener {
    final List<String> messages = new ArrayList<>();

    @Override
    public void skipped(Path file, CbmirException reason) {
      messages.add(reason.getMessage());
    }

    boolean any(String part) {
      return messages.stream().anyMatch(m -> m.contains(part));
    }
  }

  private final DicomSeriesReader reader = new DicomSeriesReader();

  @Test
  void readsASeriesSortedByPositionInHu() throws IOException {
    TinyDicom t = new TinyDicom();
    TinyDicom.series(t, dir.resolve("P/S/1"), 6, 30, -2.5); // descending z in instance order
    Skips skips = new Skips();
    List<CtVolume> vols = reader.read(dir, skips);
    assertEquals(List.of(), skips.messages);
    assertEquals(1, vols.size());
    CtVolume v = vols.get(0);
    assertEquals(6, v.depth());
    assertEquals(16, v.width());
    assertEquals(12, v.height());
    assertEquals(0.7, v.rowSpacingMm(), 1e-9);
    assertEquals(0.8, v.columnSpacingMm(), 1e-9);
    for (int k = 1; k < 6; k++) {
      assertEquals(2.5, v.zMm(k) - v.zMm(k - 1), 1e-6, "ascending z");
    }
    assertEquals(17.5, v.zMm(0), 1e-6);
    // Slice written with index 5 (z = 17.5) is first after sorting; HU = -1000 + 10x + 100*5.
    assertEquals(-1000 + 10 * 3 + 500, v.huAt(3, 4, 0), 1e-3);
    assertEquals(-1000 + 10 * 3, v.huAt(3, 4, 5), 1e-3);
    assertEquals("TINY-1", v.patientId());
    assertEquals("1.2.3.4.5", v.seriesUid());
    assertTrue(reader.canRead(dir));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"0, 2", "-1024, 1", "-1024, 2", "-1000, 0.5"})
  void rescaleSlopeAndPaddingBecomeHu(double intercept, double slope) throws IOException {
    TinyDicom t = new TinyDicom();
    t.intercept = intercept;
    t.slope = slope;
    t.huFrom((x, y) -> x == 0 ? -2048 : 40 * x);
    t.write(dir.resolve("a.dcm"));
    Skips skips = new Skips();
    List<CtVolume> vols = reader.read(dir, skips);
    assertEquals(List.of(), skips.messages);
    CtVolume v = vols.get(0);
    assertEquals(-1024, v.huAt(0, 0, 0), 1e-3, "padding becomes air");
    assertEquals(200, v.huAt(5, 2, 0), 1e-3);
  }

  @Test
  void badFilesAreReportedAndSkipped() throws IOException {
    TinyDicom good = new TinyDicom();
    TinyDicom.series(good, dir.resolve("ok"), 4, 0, 2);
    Path bad = dir.resolve("bad");
    TinyDicom compressed = good.copy();
    compressed.seriesUid = "9.1";
    compressed.transferSyntax = "1.2.840.10008.1.2.4.90";
    compressed.write(bad.resolve("jpeg2000.dcm"));
    TinyDicom noIntercept = good.copy();
    noIntercept.seriesUid = "9.2";
    noIntercept.intercept = null;
    noIntercept.write(bad.resolve("nointercept.dcm"));
    TinyDicom noSpacing = good.copy();
    noSpacing.seriesUid = "9.3";
    noSpacing.withSpacing = false;
    noSpacing.write(bad.resolve("nospacing.dcm"));
    TinyDicom hugeSlope = good.copy();
    hugeSlope.seriesUid = "9.5";
    hugeSlope.slope = 1e300;
    hugeSlope.write(bad.resolve("hugeslope.dcm"));
    TinyDicom tinySpacing = good.copy();
    tinySpacing.seriesUid = "9.6";
    tinySpacing.spacing = new double[] {0.001, 0.7};
    tinySpacing.write(bad.resolve("tinyspacing.dcm"));
    TinyDicom hugeSpacing = good.copy();
    hugeSpacing.seriesUid = "9.7";
    hugeSpacing.spacing = new double[] {50, 50};
    hugeSpacing.write(bad.resolve("hugespacing.dcm"));
    TinyDicom mr = good.copy();
    mr.seriesUid = "9.4";
    mr.modality = "MR";
    mr.write(bad.resolve("mr.dcm"));
    byte[] full = good.bytes();
    Files.write(bad.resolve("truncated.dcm"), java.util.Arrays.copyOf(full, full.length - 100));
    Files.write(bad.resolve("garbage.dcm"), "this is not dicom".getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(dir.resolve("xml-only"));
    Files.writeString(dir.resolve("xml-only/068.xml"), "<LidcReadMessage/>");

    Skips skips = new Skips();
    List<CtVolume> vols = reader.read(dir, skips);
    assertEquals(1, vols.size(), "the good series is still read");
    assertEquals(4, vols.get(0).depth());
    assertTrue(skips.any("jpeg2000.dcm") && skips.any("JPEG 2000"), skips.messages.toString());
    assertTrue(skips.any("nointercept.dcm") && skips.any("0028,1052"), skips.messages.toString());
    assertTrue(skips.any("nospacing.dcm") && skips.any("0028,0030"), skips.messages.toString());
    assertTrue(skips.any("modality MR"), skips.messages.toString());
    assertTrue(skips.any("hugeslope.dcm") && skips.any("0028,1053"), skips.messages.toString());
    assertTrue(
        skips.any("tinyspacing.dcm") && skips.any("hugespacing.dcm"), skips.messages.toString());
    assertTrue(skips.any("truncated.dcm"), skips.messages.toString());
    assertTrue(skips.any("garbage.dcm") && skips.any("DICM"), skips.messages.toString());
    assertTrue(skips.any("xml-only") && skips.any("no DICOM images"), skips.messages.toString());
  }

  @Test
  void mixedSeriesInOneFolderAreSeparated() throws IOException {
    TinyDicom a = new TinyDicom();
    TinyDicom b = new TinyDicom();
    b.seriesUid = "7.7.7";
    b.patientId = "OTHER";
    TinyDicom.series(a, dir.resolve("mixed"), 3, 0, 1.25);
    for (int k = 0; k < 2; k++) {
      TinyDicom t = b.copy();
      t.position = new double[] {0, 0, 100 + k};
      t.instance = k + 1;
      t.write(dir.resolve("mixed/b" + k + ".dcm"));
    }
    List<CtVolume> vols = reader.read(dir, VolumeReader.ReadListener.NONE);
    assertEquals(2, vols.size());
    assertEquals(
        3,
        vols.stream()
            .filter(v -> v.seriesUid().equals("1.2.3.4.5"))
            .findFirst()
            .orElseThrow()
            .depth());
  }

  @Test
  void inconsistentSpacingIsAnError() throws IOException {
    TinyDicom t = new TinyDicom();
    for (double z : new double[] {0, 2.5, 5, 12.5}) {
      TinyDicom s = t.copy();
      s.position = new double[] {0, 0, z};
      s.write(dir.resolve("gap/" + z + ".dcm"));
    }
    Skips skips = new Skips();
    assertEquals(0, reader.read(dir, skips).size());
    assertTrue(skips.any("inconsistent slice spacing"), skips.messages.toString());
  }

  @Test
  void missingAndEmptyFolders() throws IOException {
    assertThrows(
        java.nio.file.NoSuchFileException.class,
        () -> reader.read(dir.resolve("nope"), VolumeReader.ReadListener.NONE));
    Files.createDirectories(dir.resolve("empty"));
    UnreadableInputException e =
        assertThrows(
            UnreadableInputException.class,
            () -> reader.read(dir.resolve("empty"), VolumeReader.ReadListener.NONE));
    assertTrue(e.getMessage().contains("empty"));
  }

  @Test
  void foundThroughServiceLoader() {
    List<String> names =
        ServiceLoader.load(VolumeReader.class).stream().map(p -> p.get().name()).toList();
    assertTrue(names.contains("dicom") && names.contains("metaimage"), names.toString());
  }

  @Test
  void fuzzedHeadersFailCleanly() throws IOException {
    byte[] good = new TinyDicom().bytes();
    Random rnd = new Random(Robustness.SEED + 11);
    Path f = dir.resolve("fuzz.dcm");
    for (int i = 0; i < 300; i++) {
      byte[] b = java.util.Arrays.copyOf(good, i < 100 ? rnd.nextInt(400) : good.length);
      if (i >= 100) {
        for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
          int p = 128 + rnd.nextInt(Math.min(300, b.length - 128));
          b[p] = (byte) rnd.nextInt(256);
        }
      }
      Files.write(f, b);
      try {
        DicomFileMeta.checkTransferSyntax(f);
      } catch (UnreadableInputException expected) {
        assertTrue(expected.getMessage().contains("fuzz.dcm"));
      }
      try {
        DicomSeriesReader.DicomSlice.read(f);
      } catch (UnreadableInputException expected) {
        assertTrue(expected.getMessage().contains("fuzz.dcm"));
      }
      // Any other exception type fails the test.
    }
  }
}
