package org.cbmir.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cbmir.api.CtVolume;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.UnreadableInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaImageAndAnnotationsTest {
  @TempDir Path dir;

  static CtVolume ramp(int w, int h, int d) {
    float[] hu = new float[w * h * d];
    for (int k = 0; k < d; k++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          hu[(k * h + y) * w + x] = -1000 + x + 10 * y + 100 * k;
        }
      }
    }
    double[] z = new double[d];
    for (int k = 0; k < d; k++) {
      z[k] = -50 + 2.5 * k;
    }
    return CtVolume.builder()
        .size(w, h)
        .hu(hu)
        .pixelSpacingMm(0.8, 0.7)
        .zPositionsMm(z)
        .originMm(-100, -120, -50)
        .ids("1.2.840.99", "", "1.2.840.99")
        .build();
  }

  @Test
  void metaImageRoundTrip() throws IOException {
    CtVolume v = ramp(9, 7, 5);
    for (MetaImage.ElementType t : MetaImage.ElementType.values()) {
      Path mhd = dir.resolve("1.2.840.99-" + t + ".mhd");
      MetaImage.write(v, mhd, t);
      CtVolume r = MetaImage.read(mhd);
      assertEquals(9, r.width());
      assertEquals(7, r.height());
      assertEquals(5, r.depth());
      assertEquals(0.8, r.rowSpacingMm(), 1e-9);
      assertEquals(0.7, r.columnSpacingMm(), 1e-9);
      assertEquals(-47.5, r.zMm(1), 1e-9);
      assertEquals(v.huAt(4, 3, 2), r.huAt(4, 3, 2), 1e-3);
      assertEquals(-100, r.originMm()[0], 1e-9);
    }
  }

  @Test
  void flippedAxesAreReorderedSoZAscends() throws IOException {
    CtVolume v = ramp(4, 3, 3);
    Path mhd = dir.resolve("f.mhd");
    MetaImage.write(v, mhd, MetaImage.ElementType.MET_SHORT);
    String h =
        Files.readString(mhd)
            .replace("TransformMatrix = 1 0 0 0 1 0 0 0 1", "TransformMatrix = 1 0 0 0 1 0 0 0 -1")
            .replace("Offset = -100.0 -120.0 -50.0", "Offset = -100.0 -120.0 -45.0");
    Files.writeString(mhd, h);
    CtVolume r = MetaImage.read(mhd);
    assertEquals(-50, r.zMm(0), 1e-9);
    assertEquals(-45, r.zMm(2), 1e-9);
    // The file's first slice lies at the top (z = -45): it becomes the last.
    assertEquals(v.huAt(1, 1, 0), r.huAt(1, 1, 2), 1e-3);
  }

  @Test
  void badMetaImagesAreExplained() throws IOException {
    CtVolume v = ramp(4, 3, 2);
    Path mhd = dir.resolve("b.mhd");
    MetaImage.write(v, mhd, MetaImage.ElementType.MET_SHORT);
    String good = Files.readString(mhd);
    Files.writeString(mhd, good.replace("MET_SHORT", "MET_DOUBLE"));
    assertTrue(
        assertThrows(UnreadableInputException.class, () -> MetaImage.read(mhd))
            .getMessage()
            .contains("MET_DOUBLE"));
    Files.writeString(mhd, good.replace("DimSize = 4 3 2", "DimSize = 4 3 3"));
    assertTrue(
        assertThrows(UnreadableInputException.class, () -> MetaImage.read(mhd))
            .getMessage()
            .contains("needs"));
    Files.writeString(
        mhd,
        good.replace("TransformMatrix = 1 0 0 0 1 0 0 0 1", "TransformMatrix = 0 1 0 1 0 0 0 0 1"));
    assertTrue(
        assertThrows(UnreadableInputException.class, () -> MetaImage.read(mhd))
            .getMessage()
            .contains("oblique"));
    Files.writeString(mhd, good.replace("CompressedData = False", "CompressedData = True"));
    assertThrows(UnreadableInputException.class, () -> MetaImage.read(mhd));
  }

  @Test
  void lunaRowsMapToVoxelsAndOutsideIsAnError() throws IOException {
    CtVolume v = ramp(20, 20, 5);
    Path csv = dir.resolve("annotations.csv");
    Files.writeString(
        csv,
        "seriesuid,coordX,coordY,coordZ,diameter_mm\n"
            + "1.2.840.99,-93.0,-112.0,-45.0,6.7\n"
            + "other,1,2,3,4\n");
    List<Nodule> n = Luna16Annotations.forVolume(csv, v);
    assertEquals(1, n.size());
    assertEquals(10, n.get(0).column(v), 1e-9);
    assertEquals(10, n.get(0).row(v), 1e-9);
    assertEquals(2, n.get(0).nearestSlice(v));
    assertEquals(NoduleClass.D6_8, n.get(0).noduleClass());
    Files.writeString(
        csv,
        "seriesuid,coordX,coordY,coordZ,diameter_mm\n" + "1.2.840.99,-93.0,-112.0,400.0,6.7\n");
    UnreadableInputException e =
        assertThrows(UnreadableInputException.class, () -> Luna16Annotations.forVolume(csv, v));
    assertTrue(e.getMessage().contains("outside") && e.getMessage().contains("annotations.csv"));
    Files.writeString(csv, "seriesuid,coordX,coordY,coordZ,diameter_mm\n1.2,x,1,2,3\n");
    assertTrue(
        assertThrows(UnreadableInputException.class, () -> Luna16Annotations.read(csv))
            .getMessage()
            .contains("line 2"));
  }

  @Test
  void lidcReadsMergeIntoConsensusNodules() throws IOException {
    CtVolume v = ramp(40, 40, 5);
    StringBuilder xml =
        new StringBuilder(
            "<?xml version=\"1.0\"?>\n"
                + "<LidcReadMessage xmlns=\"http://www.nih.gov\"><ResponseHeader>"
                + "<SeriesInstanceUid>1.2.840.99</SeriesInstanceUid></ResponseHeader>");
    for (int reader = 0; reader < 3; reader++) {
      xml.append("<readingSession><servicingRadiologistID>R")
          .append(reader)
          .append("</servicingRadiologistID><unblindedReadNodule><noduleID>n</noduleID>");
      for (double z : new double[] {-47.5, -45.0}) {
        xml.append("<roi><imageZposition>")
            .append(z)
            .append("</imageZposition>")
            .append("<inclusion>TRUE</inclusion>");
        // A square contour 10 x 10 pixels around (20 + reader, 20).
        int[][] pts = {{15, 15}, {25, 15}, {25, 25}, {15, 25}};
        for (int[] p : pts) {
          xml.append("<edgeMap><xCoord>")
              .append(p[0] + reader)
              .append("</xCoord><yCoord>")
              .append(p[1])
              .append("</yCoord></edgeMap>");
        }
        xml.append("</roi>");
      }
      xml.append("</unblindedReadNodule>");
      // One reader also marks a small nodule far away with a single point.
      if (reader == 0) {
        xml.append(
            "<unblindedReadNodule><noduleID>small</noduleID><roi><imageZposition>-50"
                + "</imageZposition><inclusion>TRUE</inclusion><edgeMap><xCoord>3</xCoord><yCoord>3"
                + "</yCoord></edgeMap></roi></unblindedReadNodule>");
      }
      xml.append("</readingSession>");
    }
    xml.append("</LidcReadMessage>");
    Path f = dir.resolve("r.xml");
    Files.writeString(f, xml);
    assertEquals("1.2.840.99", LidcAnnotations.seriesUid(f));
    List<Nodule> nodules = LidcAnnotations.nodules(f, v);
    assertEquals(2, nodules.size(), nodules.toString());
    Nodule big = nodules.stream().filter(n -> n.readers() == 3).findFirst().orElseThrow();
    assertEquals(-100 + 21 * 0.7, big.xMm(), 1e-6, "mean of the readers' centres");
    assertEquals(-46.25, big.zMm(), 1e-6);
    double side = 10 * Math.sqrt(0.7 * 0.8);
    assertEquals(2 * side / Math.sqrt(Math.PI), big.diameterMm(), 1e-6, "area-equivalent");
    Nodule small = nodules.stream().filter(n -> n.readers() == 1).findFirst().orElseThrow();
    assertEquals(LidcAnnotations.SMALL_NODULE_MM, small.diameterMm());

    Files.writeString(f, "<notLidc/>");
    assertThrows(UnreadableInputException.class, () -> LidcAnnotations.reads(f, v));
    Files.writeString(f, "<LidcReadMessage><broken>");
    assertTrue(
        assertThrows(UnreadableInputException.class, () -> LidcAnnotations.reads(f, v))
            .getMessage()
            .contains("malformed XML"));
  }

  @Test
  void slicesAreLabelledWithAMarginExcluded() {
    CtVolume v = ramp(10, 10, 12); // z = -50 .. -22.5 every 2.5 mm
    Nodule n = Nodule.sphere("1.2.840.99", 0, 0, -40, 7.0, 1, "test"); // covers -43.5..-36.5
    NoduleClass[] labels = SliceLabels.label(v, List.of(n), 5.0);
    // Slices at -42.5, -40 and -37.5 cover part of -43.5..-36.5; -45 and -35 do not.
    assertEquals(NoduleClass.D6_8, labels[4]);
    assertEquals(NoduleClass.D6_8, labels[3]);
    assertEquals(null, labels[1], "-47.5 is within 5 mm of the nodule: excluded");
    assertEquals(NoduleClass.NONE, labels[0]);
    assertEquals(NoduleClass.NONE, labels[11]);
  }

  @Test
  void hostileFilesGiveUnreadableInputNamingTheFile() throws IOException {
    // MetaImage data files must stay in the header's folder and be regular files.
    CtVolume v = ramp(4, 3, 2);
    Path mhd = dir.resolve("h.mhd");
    MetaImage.write(v, mhd, MetaImage.ElementType.MET_SHORT);
    String good = Files.readString(mhd);
    String dataLine =
        good.lines().filter(l -> l.startsWith("ElementDataFile")).findFirst().orElseThrow();
    for (String name : new String[] {"/etc/hostname", "../outside.raw", ".", "a\0b.raw"}) {
      Files.writeString(mhd, good.replace(dataLine, "ElementDataFile = " + name));
      UnreadableInputException e =
          assertThrows(UnreadableInputException.class, () -> MetaImage.read(mhd), name);
      assertTrue(e.getMessage().contains("h.mhd"), e.getMessage());
    }
    // LUNA16 CSV that is not UTF-8.
    Path csv = dir.resolve("annotations.csv");
    Files.write(csv, new byte[] {'s', 'e', (byte) 0xff, (byte) 0xfe, '\n'});
    UnreadableInputException e =
        assertThrows(UnreadableInputException.class, () -> Luna16Annotations.read(csv));
    assertTrue(
        e.getMessage().contains("annotations.csv") && e.getMessage().contains("UTF-8"),
        e.getMessage());
    // LIDC XML: a non-finite coordinate, an unknown encoding, a document nested very deep.
    Path xml = dir.resolve("x.xml");
    Files.writeString(
        xml,
        "<?xml version=\"1.0\"?><LidcReadMessage xmlns=\"http://www.nih.gov\">"
            + "<ResponseHeader><SeriesInstanceUid>1.2.840.99</SeriesInstanceUid></ResponseHeader>"
            + "<readingSession><unblindedReadNodule><noduleID>n</noduleID><roi><imageZposition>"
            + "NaN</imageZposition><inclusion>TRUE</inclusion><edgeMap><xCoord>3</xCoord><yCoord>3"
            + "</yCoord></edgeMap></roi></unblindedReadNodule></readingSession></LidcReadMessage>");
    e = assertThrows(UnreadableInputException.class, () -> LidcAnnotations.reads(xml, v));
    assertTrue(
        e.getMessage().contains("finite") && e.getMessage().contains("x.xml"), e.getMessage());
    Files.writeString(xml, "<?xml version=\"1.0\" encoding=\"X-NO-SUCH-CHARSET\"?><a/>");
    e = assertThrows(UnreadableInputException.class, () -> LidcAnnotations.seriesUid(xml));
    assertTrue(e.getMessage().contains("x.xml"), e.getMessage());
    Files.writeString(xml, "<a>".repeat(100_000) + "</a>".repeat(100_000));
    e = assertThrows(UnreadableInputException.class, () -> LidcAnnotations.seriesUid(xml));
    assertTrue(e.getMessage().contains("x.xml"), e.getMessage());
  }
}
