package org.cbmir.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.cbmir.api.CtVolume;
import org.cbmir.api.LungMask;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.preprocessing.Resampling;
import org.cbmir.api.preprocessing.ThresholdLungMask;
import org.cbmir.api.testing.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** On the real LIDC-IDRI and COVID-19-NY-SBU files in ../shared/data; skipped where absent. */
class RealDataTest {
  static Path root;
  static List<CtVolume> lidc;
  static DicomSeriesReaderTest.Skips skips;

  @BeforeAll
  static void read() throws IOException {
    root = SharedData.find();
    if (root != null) {
      skips = new DicomSeriesReaderTest.Skips();
      lidc = new DicomSeriesReader().read(root.resolve("lidc-idri"), skips);
    }
  }

  @org.junit.jupiter.api.BeforeEach
  void needsData() {
    SharedData.assume(root);
  }

  static CtVolume patient(String id) {
    return lidc.stream().filter(v -> v.patientId().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void readingByUnitsGivesTheVolumesOfReadingTheWholeTree() throws IOException {
    DicomSeriesReaderTest.Skips listed = new DicomSeriesReaderTest.Skips();
    List<ArchiveUnits.Unit> units = ArchiveUnits.list(root.resolve("lidc-idri"), listed);
    assertEquals(lidc.size(), units.size(), "one unit per series folder: " + units);
    assertTrue(
        listed.any("holds no DICOM images"),
        "the radiograph study's XML folder is reported: " + listed.messages);
    for (ArchiveUnits.Unit u : units) {
      assertEquals(ArchiveUnits.Kind.DICOM_FOLDER, u.kind());
      assertTrue(
          u.annotationFiles().stream().anyMatch(f -> f.toString().endsWith(".xml")),
          u + " carries its series' LIDC XML");
      DicomSeriesReaderTest.Skips skipped = new DicomSeriesReaderTest.Skips();
      List<CtVolume> read = ArchiveUnits.read(u, skipped);
      assertEquals(1, read.size(), u + ": " + skipped.messages);
      CtVolume v = read.get(0);
      CtVolume whole =
          lidc.stream().filter(w -> w.seriesUid().equals(v.seriesUid())).findFirst().orElseThrow();
      assertEquals(whole.depth(), v.depth(), v.seriesUid());
      assertTrue(Arrays.equals(whole.zPositionsMm(), v.zPositionsMm()), v.seriesUid());
      float[] a = new float[v.width() * v.height()];
      float[] b = new float[a.length];
      for (int k = 0; k < v.depth(); k++) {
        assertEquals(whole.sliceClass(k), v.sliceClass(k), v.seriesUid() + " slice " + k);
        assertEquals(
            whole.slice(k).ref().orElseThrow(), v.slice(k).ref().orElseThrow(), "slice " + k);
        whole.copySliceInto(k, a, 0);
        v.copySliceInto(k, b, 0);
        assertTrue(Arrays.equals(a, b), v.seriesUid() + " slice " + k + " pixels");
      }
    }
  }

  @Test
  void everyLidcSeriesReadInOrder() {
    // Properties of each series, not counts: the folder grows from round to round.
    assertTrue(lidc.size() >= 2, "at least the two original series: " + lidc);
    assertEquals(
        lidc.size(),
        lidc.stream().map(CtVolume::seriesUid).distinct().count(),
        "one volume per series");
    for (CtVolume v : lidc) {
      assertTrue(v.depth() >= 50, v + " is a whole chest series");
      assertEquals(512, v.width());
      assertEquals(512, v.height());
      double step = v.zMm(1) - v.zMm(0);
      assertTrue(step >= 0.5 && step <= 5.0, v + ": slice step " + step + " mm");
      for (int k = 1; k < v.depth(); k++) {
        assertEquals(step, v.zMm(k) - v.zMm(k - 1), 0.01, v + ": evenly ascending z at " + k);
      }
      assertTrue(v.rowSpacingMm() >= 0.5 && v.rowSpacingMm() <= 1.0, v + " pixel spacing");
      // Air above the patient, inside the scan circle.
      float[] air = new float[41];
      for (int i = 0; i <= 40; i++) {
        air[i] = v.huAt(236 + i, 20, v.depth() / 2);
      }
      Arrays.sort(air);
      assertEquals(-1000, air[20], 60, "air ~ -1000 HU in " + v.patientId());
      assertTrue(v.huAt(2, 2, 0) >= -1024, "padding became air");
    }
    // The two series the tests were first written for, with the README's figures.
    CtVolume p1 = patient("LIDC-IDRI-0001");
    assertEquals(133, p1.depth());
    assertEquals(2.5, p1.zMm(1) - p1.zMm(0), 0.01);
    assertEquals(133, patient("LIDC-IDRI-0006").depth());
    assertEquals(0.703125, patient("LIDC-IDRI-0001").rowSpacingMm(), 1e-6);
    assertEquals(0.625, patient("LIDC-IDRI-0006").rowSpacingMm(), 1e-6);
    assertTrue(
        skips.any("068.xml") || skips.any("no DICOM images"),
        "the radiograph study's XML-only folder is reported: " + skips.messages);
  }

  @Test
  void lunaCentreOfPatient1LandsOnTheNodule() throws IOException {
    CtVolume v = patient("LIDC-IDRI-0001");
    List<Nodule> rows = Luna16Annotations.forVolume(root.resolve("lidc-idri/annotations.csv"), v);
    assertEquals(1, rows.size());
    Nodule n = rows.get(0);
    int c = (int) Math.round(n.column(v));
    int r = (int) Math.round(n.row(v));
    int k = n.nearestSlice(v);
    float[] around = new float[9];
    int i = 0;
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        around[i++] = v.huAt(c + dx, r + dy, k);
      }
    }
    Arrays.sort(around);
    assertTrue(around[4] > 0, "median HU at the LUNA16 centre is " + around[4]);
    assertEquals(NoduleClass.OVER_23, n.noduleClass());
  }

  @Test
  void theRegisteredReaderLabelsSlicesFromTheXmlBesideThem() throws IOException {
    for (CtVolume v : lidc) {
      assertTrue(v.isLabelled(), v + " has its radiologists' XML beside it");
    }
    CtVolume v = patient("LIDC-IDRI-0001");
    Nodule n = Luna16Annotations.forVolume(root.resolve("lidc-idri/annotations.csv"), v).get(0);
    assertEquals(NoduleClass.OVER_23, v.slice(n.nearestSlice(v)).ref().orElseThrow().noduleClass());
    assertEquals(
        NoduleClass.NONE,
        v.slice(0).ref().orElseThrow().noduleClass(),
        "the lung apex is nodule-free");
    assertEquals(0.0, v.slice(0).ref().orElseThrow().noduleDiameterMm());
  }

  @Test
  void lidcXmlAgreesWithLuna16() throws IOException {
    List<Nodule> luna = Luna16Annotations.read(root.resolve("lidc-idri/annotations.csv"));
    for (CtVolume v : lidc) {
      Path xml;
      try (Stream<Path> s = Files.walk(root.resolve("lidc-idri/" + v.patientId()))) {
        xml =
            s.filter(p -> p.toString().endsWith(".xml"))
                .filter(
                    p -> {
                      try {
                        return LidcAnnotations.seriesUid(p).equals(v.seriesUid());
                      } catch (IOException e) {
                        return false;
                      }
                    })
                .findFirst()
                .orElseThrow();
      }
      List<Nodule> consensus = LidcAnnotations.nodules(xml, v);
      for (Nodule row : luna) {
        if (!row.seriesUid().equals(v.seriesUid())) {
          continue;
        }
        double best = Double.MAX_VALUE;
        Nodule match = null;
        for (Nodule n : consensus) {
          double d =
              Math.sqrt(
                  Math.pow(n.xMm() - row.xMm(), 2)
                      + Math.pow(n.yMm() - row.yMm(), 2)
                      + Math.pow(n.zMm() - row.zMm(), 2));
          if (d < best) {
            best = d;
            match = n;
          }
        }
        assertTrue(
            best <= 2.0,
            v.patientId()
                + ": nearest LIDC nodule "
                + best
                + " mm from "
                + row
                + " ("
                + match
                + ")");
        assertTrue(match.readers() >= 3, "LUNA16 keeps nodules marked by >= 3 readers: " + match);
        assertEquals(
            row.diameterMm(),
            match.diameterMm(),
            Math.max(2.0, 0.2 * row.diameterMm()),
            "diameter of " + match);
      }
    }
  }

  @Test
  void lungMaskCoversBothLungsMidChest() {
    for (CtVolume v : lidc) {
      int k = v.depth() / 2;
      LungMask m = ThresholdLungMask.DEFAULT.segment(v.slice(k));
      int left = 0;
      int right = 0;
      for (int y = 0; y < v.height(); y++) {
        for (int x = 0; x < v.width(); x++) {
          if (m.isLung(x, y)) {
            if (x < v.width() / 2) {
              left++;
            } else {
              right++;
            }
          }
        }
      }
      int total = v.width() * v.height();
      assertTrue(
          left > 0.04 * total && right > 0.04 * total,
          v.patientId() + " lungs: left " + left + " right " + right + " of " + total);
    }
  }

  @Test
  void resamplingToOneMillimetre() {
    CtVolume v = patient("LIDC-IDRI-0006");
    CtVolume r = Resampling.resampleVolume(v, 1.0, 1.0);
    assertEquals(320, r.width());
    assertEquals((int) Math.floor((v.zMm(132) - v.zMm(0)) / 1.0) + 1, r.depth());
    assertEquals(v.zMm(0), r.zMm(0), 1e-9);
  }

  @Test
  void allCovidSlicesRead() throws IOException {
    DicomSeriesReaderTest.Skips s = new DicomSeriesReaderTest.Skips();
    List<CtVolume> vols = new DicomSeriesReader().read(root.resolve("covid19-ny-sbu"), s);
    assertEquals(20, vols.size(), "skipped: " + s.messages);
    assertEquals(10, vols.stream().map(CtVolume::patientId).distinct().count());
    for (CtVolume v : vols) {
      assertEquals(1, v.depth());
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (int y = 0; y < v.height(); y += 4) {
        for (int x = 0; x < v.width(); x += 4) {
          min = Math.min(min, v.huAt(x, y, 0));
          max = Math.max(max, v.huAt(x, y, 0));
        }
      }
      assertTrue(min <= -900 && min >= -1024, v.patientId() + " darkest " + min);
      assertTrue(max > 100, v.patientId() + " brightest " + max + " (bone or contrast)");
    }
    assertTrue(new DicomSeriesReader().canRead(root.resolve("covid19-ny-sbu")));
    assertEquals(List.of(), s.messages.stream().filter(m -> m.endsWith(".dcm")).toList());
    VolumeReader.ReadListener.NONE.progress(1, 1);
  }

  @Test
  void noduleCropsMatchTheirSeriesAndTheSplitKeepsPatientsApart() throws IOException {
    Path folder = NoduleCrops.find(root);
    org.junit.jupiter.api.Assumptions.assumeTrue(folder != null, "no lidc-nodule-crops folder");
    List<NoduleCrops.Crop> crops = NoduleCrops.read(folder);
    assertTrue(crops.size() >= 2676, crops.size() + " crops");
    // The data README: crop 0 is LIDC-IDRI-0001's stored pixels (z -117.5) at rows 327..397,
    // columns 281..351, minus 1024, which is HU for that series.
    NoduleCrops.Crop c = crops.get(0);
    CtVolume v = patient("LIDC-IDRI-0001");
    int k = 0;
    for (int i = 0; i < v.depth(); i++) {
      k = Math.abs(v.zMm(i) - c.zMm()) < Math.abs(v.zMm(k) - c.zMm()) ? i : k;
    }
    assertEquals(c.zMm(), v.zMm(k), 0.01);
    for (int y = 0; y < c.size(); y += 5) {
      for (int x = 0; x < c.size(); x += 5) {
        assertEquals(v.huAt(281 + x, 327 + y, k), c.huAt(x, y), 0.5, "pixel " + x + "," + y);
      }
    }
    assertEquals(NoduleClass.OVER_23, c.noduleClass());
    // No nodule, and so no crop, belongs to both parts of the split.
    PatientSplit split = PatientSplit.shipped();
    long testCrops = crops.stream().filter(x -> split.isTest(x.patientId())).count();
    assertTrue(
        testCrops > 0.2 * crops.size() && testCrops < 0.4 * crops.size(),
        testCrops + " of " + crops.size() + " crops are test patients'");
    for (NoduleClass cls : NoduleClass.sizeClasses()) {
      if (cls == NoduleClass.NONE) {
        continue;
      }
      assertTrue(
          crops.stream().anyMatch(x -> split.isTest(x.patientId()) && x.noduleClass() == cls),
          "test patients have real " + cls + " nodules");
    }
    assertTrue(NoduleCrops.perNodule(crops).size() < crops.size(), "readers' outlines merged");
  }
}
