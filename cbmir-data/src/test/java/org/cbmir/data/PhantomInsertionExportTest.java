package org.cbmir.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cbmir.api.CtVolume;
import org.cbmir.api.LungMask;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.preprocessing.ModelInput;
import org.cbmir.api.preprocessing.ThresholdLungMask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhantomInsertionExportTest {
  @TempDir Path dir;

  @Test
  void phantomHasLungsAndNodulesWhereItSays() {
    ThoraxPhantom.Result p = ThoraxPhantom.builder().seed(3).slices(24, 2.5).addNodule(10).build();
    CtVolume v = p.volume();
    Nodule n = p.nodules().get(0);
    int k = n.nearestSlice(v);
    int c = (int) Math.round(n.column(v));
    int r = (int) Math.round(n.row(v));
    assertTrue(v.huAt(c, r, k) > -200, "nodule core is soft tissue: " + v.huAt(c, r, k));
    LungMask mask = ThresholdLungMask.DEFAULT.segment(v.slice(v.depth() / 2));
    assertTrue(mask.area() > 0.1 * v.width() * v.height(), "lungs segmented: " + mask.area());
    assertFalse(mask.isLung(0, 0), "outside air is not lung");
    assertFalse(mask.isLung(v.width() / 2, v.height() / 2), "mediastinum is not lung");
    assertTrue(mask.isLung(c, r), "holes (the nodule) are filled");
  }

  @Test
  void insertedNodulesAreConsistentAcrossSlices() {
    ThoraxPhantom.Result p = ThoraxPhantom.builder().seed(5).slices(30, 2.0).build();
    NoduleInserter.Result r = new NoduleInserter(9).insert(p.volume(), List.of(12.0, 4.0));
    assertEquals(2, r.nodules().size());
    for (Nodule n : r.nodules()) {
      CtVolume v = r.volume();
      int k = n.nearestSlice(v);
      int c = (int) Math.round(n.column(v));
      int row = (int) Math.round(n.row(v));
      assertTrue(v.huAt(c, row, k) > -300, "core: " + v.huAt(c, row, k));
      assertTrue(p.volume().huAt(c, row, k) < -600, "it was lung before");
      assertEquals("inserted", n.source());
      // The cross-section shrinks away from the centre slice and vanishes beyond the radius.
      int beyond = (int) Math.ceil(n.diameterMm() / 2 / 2.0) + 1;
      if (k + beyond < v.depth()) {
        assertTrue(v.huAt(c, row, k + beyond) < -500, "no nodule beyond its radius");
      }
    }
    NoduleClass[] labels = SliceLabels.label(r.volume(), r.nodules(), 5);
    assertEquals(NoduleClass.D8_13, labels[r.nodules().get(0).nearestSlice(r.volume())]);
    assertThrows(
        IllegalArgumentException.class,
        () -> new NoduleInserter(1).insert(p.volume(), List.of(-1.0)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new NoduleInserter(1).insert(p.volume(), List.of(400.0)),
        "no room");
  }

  @Test
  void exportWritesNumpyFilesSplitByPatient() throws IOException {
    List<DatasetExporter.Source> sources = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ThoraxPhantom.Result p =
          ThoraxPhantom.builder()
              .seed(20 + i)
              .size(96)
              .pixelSpacingMm(3.5)
              .slices(12, 5)
              .patientId("PH-" + i)
              .addNodule(9)
              .build();
      sources.add(new DatasetExporter.Source(p.volume(), p.nodules(), "real"));
    }
    DatasetExporter.Summary s =
        DatasetExporter.builder()
            .modelInput(new ModelInput(64, 5.0))
            .insertedPerClass(1)
            .seed(3)
            .testPatients(Set.of("PH-2"))
            .build()
            .export(sources, dir);
    assertEquals(Set.of("PH-2"), s.testPatients(), "the patient named as test is held out");
    assertEquals(Set.of("PH-0", "PH-1"), s.trainPatients());
    List<String> csv = Files.readAllLines(dir.resolve("provenance.csv"));
    int train = s.recordsPerSplit().get("train");
    int test = s.recordsPerSplit().get("test");
    assertEquals(train + test + 1, csv.size());
    assertTrue(csv.stream().anyMatch(l -> l.split(",", -1)[8].equals("inserted")));
    Set<String> testPatientsInCsv = new HashSet<>();
    for (String l : csv.subList(1, csv.size())) {
      String[] f = l.split(",");
      if (f[0].equals("test")) {
        testPatientsInCsv.add(f[2]);
      } else {
        assertFalse(f[2].equals("PH-2"), "a test patient in train: " + l);
      }
    }
    assertEquals(Set.of("PH-2"), testPatientsInCsv);
    assertNpy(
        dir.resolve("train_images.npy"),
        "<f4",
        "(" + String.format(Locale.ROOT, "%12d", train) + ", 1, 64, 64)",
        4L * train * 64 * 64);
    assertNpy(
        dir.resolve("train_masks.npy"),
        "|u1",
        "(" + String.format(Locale.ROOT, "%12d", train) + ", 1, 64, 64)",
        (long) train * 64 * 64);
    assertNpy(
        dir.resolve("test_labels.npy"),
        "<i8",
        "(" + String.format(Locale.ROOT, "%12d", test) + ",)",
        8L * test);
    // Labels file agrees with the CSV.
    ByteBuffer b =
        ByteBuffer.wrap(Files.readAllBytes(dir.resolve("test_labels.npy")))
            .order(ByteOrder.LITTLE_ENDIAN);
    b.position(128);
    int row = 0;
    for (String l : csv.subList(1, csv.size())) {
      String[] f = l.split(",");
      if (f[0].equals("test")) {
        assertEquals(Long.parseLong(f[6]), b.getLong(128 + 8 * row++));
      }
    }
  }

  @Test
  void aPseudonymisedExportHoldsNoIdentifierFromTheImages() throws IOException {
    List<DatasetExporter.Source> sources = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ThoraxPhantom.Result p =
          ThoraxPhantom.builder()
              .seed(30 + i)
              .size(96)
              .pixelSpacingMm(3.5)
              .slices(8, 5)
              .patientId("SECRET-" + i)
              .addNodule(9)
              .build();
      sources.add(new DatasetExporter.Source(p.volume(), p.nodules(), "real"));
    }
    org.cbmir.api.IdentifierPolicy policy =
        org.cbmir.api.IdentifierPolicy.pseudonymise(
            "a key of thirty-two bytes, kept.".getBytes(StandardCharsets.US_ASCII));
    DatasetExporter.Summary s =
        DatasetExporter.builder()
            .modelInput(new ModelInput(64, 5.0))
            .testPatients(Set.of("SECRET-1"))
            .identifiers(policy)
            .build()
            .export(sources, dir);
    assertEquals(Set.of("SECRET-1"), s.testPatients(), "the split sees identifiers as read");
    String csv = Files.readString(dir.resolve("provenance.csv"));
    assertFalse(csv.contains("SECRET") || csv.contains("phantom"), csv);
    assertTrue(csv.contains(policy.patientId("SECRET-0")), csv);
  }

  private static void assertNpy(Path f, String descr, String shape, long dataBytes)
      throws IOException {
    byte[] all = Files.readAllBytes(f);
    assertEquals((byte) 0x93, all[0]);
    assertEquals("NUMPY", new String(all, 1, 5, StandardCharsets.US_ASCII));
    int headerLen = (all[8] & 0xff) | (all[9] & 0xff) << 8;
    String header = new String(all, 10, headerLen, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '" + descr + "'"), header);
    assertTrue(header.contains("'shape': " + shape), header);
    assertEquals(0, (10 + headerLen) % 64, "data aligned to 64 bytes");
    assertEquals(10 + headerLen + dataBytes, all.length);
  }
}
