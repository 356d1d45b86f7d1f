package org.cbmir.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cbmir.api.CtSlice;
import org.cbmir.api.LungMask;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.preprocessing.ModelInput;
import org.cbmir.api.preprocessing.ThresholdLungMask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The patient split, the crop reader and the transplanter, on crops the test draws itself. */
class TransplantTest {
  @TempDir Path dir;

  /**
   * A 71 x 71 crop at 0.7 mm: parenchyma at -850 HU, a solid nodule of the given diameter at the
   * centre, and a vessel (+50 HU) running from it to the edge.
   */
  static NoduleCrops.Crop crop(int index, String patient, double diameterMm) {
    int s = 71;
    double spacing = 0.7;
    short[] hu = new short[s * s];
    double r = diameterMm / 2 / spacing;
    for (int y = 0; y < s; y++) {
      for (int x = 0; x < s; x++) {
        double d = Math.hypot(x - 35, y - 35);
        boolean vessel = Math.abs(y - 35) <= 1 && x > 35;
        hu[y * s + x] = (short) (d <= r ? 40 : vessel ? 50 : -850 + ((x * 7 + y * 13) % 21) - 10);
      }
    }
    return new NoduleCrops.Crop(
        index,
        "n" + index,
        patient,
        "1.2." + patient,
        1,
        "sop" + index,
        -100,
        spacing,
        diameterMm,
        diameterMm * 1.1,
        s,
        hu);
  }

  @Test
  void theCutKeepsTheNoduleAndLeavesTheVesselBehind() {
    NoduleCrops.Crop c = crop(0, "P", 8.0);
    boolean[] cut = NoduleTransplanter.cut(c);
    assertTrue(cut[35 * 71 + 35], "centre");
    double limit = (c.majorAxisMm() / 2 + 1.5) / c.spacingMm();
    assertFalse(cut[35 * 71 + 35 + (int) Math.ceil(limit) + 2], "vessel beyond the limit");
    int area = 0;
    for (boolean b : cut) {
      area += b ? 1 : 0;
    }
    double disc = Math.PI * Math.pow(8.0 / 2 / 0.7, 2);
    assertTrue(
        area >= disc && area <= disc + 2 * limit * 3 + 10,
        "area " + area + " px: the nodule plus the vessel stub inside the limit");
  }

  @Test
  void aPatchPastedIntoLungStaysInLungAndKeepsItsSize() {
    ThoraxPhantom.Result p = ThoraxPhantom.builder().seed(4).slices(3, 2.5).build();
    CtSlice slice = p.volume().slice(1);
    LungMask mask = ThresholdLungMask.DEFAULT.segment(slice);
    NoduleTransplanter t = new NoduleTransplanter(1);
    NoduleTransplanter.Patch patch = t.patch(crop(0, "P", 10.0), slice.rowSpacingMm(), false);
    assertEquals(10.0, patch.diameterMm(), 1e-9);
    int[] at = t.place(mask, patch, 500);
    assertNotNull(at, "a phantom lung has room for a 10 mm nodule");
    CtSlice with = NoduleTransplanter.paste(slice, patch, at[0], at[1]);
    assertTrue(with.huAt(at[0], at[1]) > -100, "solid core: " + with.huAt(at[0], at[1]));
    assertTrue(slice.huAt(at[0], at[1]) < -600, "it was lung before");
    int half = patch.size() / 2;
    for (int y = 0; y < patch.size(); y++) {
      for (int x = 0; x < patch.size(); x++) {
        if (patch.alpha()[y * patch.size() + x] > 0.01f) {
          assertTrue(mask.isLung(at[0] - half + x, at[1] - half + y), "inside the lung");
        }
      }
    }
    // Far from the patch nothing changed.
    assertEquals(slice.huAt(0, 0), with.huAt(0, 0));
    // Jitter scales the diameter with the patch.
    NoduleTransplanter.Patch j = t.patch(crop(0, "P", 10.0), 1.25, true);
    assertTrue(j.diameterMm() >= 9.0 && j.diameterMm() <= 11.0, "" + j.diameterMm());
    assertThrows(IllegalArgumentException.class, () -> t.patch(crop(0, "P", 10), 0, false));
  }

  @Test
  void theExportKeepsEveryTestPatientsNoduleOutOfTraining() throws IOException {
    List<DatasetExporter.Source> sources = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ThoraxPhantom.Result r =
          ThoraxPhantom.builder()
              .seed(30 + i)
              .size(160)
              .pixelSpacingMm(2.2)
              .patientId("PH-" + i)
              .slices(8, 5)
              .build();
      sources.add(new DatasetExporter.Source(r.volume(), r.nodules(), "real"));
    }
    List<NoduleCrops.Crop> crops = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      crops.add(crop(i, i % 3 == 0 ? "PH-1" : "CROP-" + (i % 3), 4 + i * 2));
    }
    PatientSplit split = PatientSplit.withTestPatients(Set.of("PH-1", "CROP-2"));
    DatasetExporter.Summary s =
        DatasetExporter.builder()
            .modelInput(new ModelInput(64, 5.0))
            .split(split)
            .crops(crops)
            .seed(3)
            .build()
            .export(sources, dir);
    assertEquals(Set.of("PH-1"), s.testPatients());
    List<String> patches = Files.readAllLines(dir.resolve("train_patches.csv"));
    assertEquals(1 + 4, patches.size(), "only CROP-1's crops train: " + patches);
    assertTrue(patches.stream().skip(1).allMatch(l -> l.contains(",CROP-1,")));
    List<String> rows = Files.readAllLines(dir.resolve("provenance.csv"));
    int transplanted = 0;
    for (String l : rows.subList(1, rows.size())) {
      String[] f = l.split(",", -1);
      if (!f[8].equals("transplanted")) {
        continue;
      }
      transplanted++;
      String cropPatient = f[11].split(":")[1];
      boolean testCrop = split.isTest(cropPatient);
      assertEquals(testCrop ? "test" : "train", f[0], "a crop stays in its patient's split: " + l);
      assertEquals(testCrop ? "PH-1" : "PH-0", f[2], "and lands in a slice of that split: " + l);
      assertEquals(
          NoduleClass.ofDiameterMm(Double.parseDouble(f[7])).label(),
          Integer.parseInt(f[6]),
          "labelled by the crop's diameter");
    }
    assertEquals(12, transplanted, "every crop found room");
  }

  @Test
  void theShippedSplitHoldsOutWholePatients() {
    PatientSplit s = PatientSplit.shipped();
    assertTrue(s.isTest("LIDC-IDRI-0003") && s.isTest("LIDC-IDRI-0006"));
    assertFalse(s.isTest("LIDC-IDRI-0001") || s.isTest("LIDC-IDRI-0002"));
    int test = s.listed(PatientSplit.Part.TEST).size();
    int train = s.listed(PatientSplit.Part.TRAIN).size();
    double fraction = (double) test / (test + train);
    assertTrue(fraction > 0.25 && fraction < 0.35, "test fraction " + fraction);
    // Unlisted patients split by a fixed rule, the same on every call.
    assertEquals(s.partOf("SOMEONE-ELSE"), PatientSplit.shipped().partOf("SOMEONE-ELSE"));
  }

  @Test
  void badSplitAndCropFilesAreReportedWithTheLine() throws IOException {
    Path csv = dir.resolve("split.csv");
    Files.writeString(csv, "patient,split\nA,train\nB,validation\n");
    UnreadableInputException e =
        assertThrows(UnreadableInputException.class, () -> PatientSplit.read(csv));
    assertTrue(
        e.getMessage().contains("line 3") && e.getMessage().contains("validation"), e.getMessage());
    Path crops = dir.resolve("crops");
    Files.createDirectories(crops);
    try (NpyWriter w = new NpyWriter(crops.resolve("crops_hu.npy"), NpyWriter.DType.UINT8, 2, 2)) {
      w.write(new byte[4]);
    }
    Files.writeString(crops.resolve("nodules.csv"), "index,patient_id\n0,A\n");
    UnreadableInputException bad =
        assertThrows(UnreadableInputException.class, () -> NoduleCrops.read(crops));
    assertTrue(
        bad.getMessage().contains("[N, S, S]")
            || bad.getMessage().contains("noduleID")
            || bad.getMessage().contains("<i2"),
        bad.getMessage());
  }
}
