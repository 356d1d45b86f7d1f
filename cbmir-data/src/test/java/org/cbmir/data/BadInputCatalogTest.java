package org.cbmir.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cbmir.api.CbmirException;
import org.cbmir.api.CtVolume;
import org.cbmir.api.IdentifierPolicy;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.ProgressListener;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SliceRef;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.testing.BadInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input, one case at a time, with the message each gives: every case must fail with an
 * exception of the documented kind whose message names the file or the value. The table is written
 * to {@code target/robustness/bad-inputs.md} (RELIABILITY.md quotes it).
 */
class BadInputCatalogTest {
  @TempDir Path dir;

  /** Reads a folder with the DICOM reader and throws what it reported for its one bad file. */
  private static void readDicom(Path folder) throws IOException {
    List<CbmirException> reported = new ArrayList<>();
    new DicomSeriesReader()
        .read(
            folder,
            new VolumeReader.ReadListener() {
              @Override
              public void skipped(Path file, CbmirException reason) {
                reported.add(reason);
              }
            });
    if (!reported.isEmpty()) {
      throw reported.get(0);
    }
  }

  private Path dicom(String name, TinyDicom t) throws IOException {
    Path folder = dir.resolve(name);
    Files.createDirectories(folder);
    Files.write(folder.resolve(name + ".dcm"), t.bytes());
    return folder;
  }

  private Path mhd(String name, String replace, String with) throws IOException {
    Path folder = dir.resolve(name);
    Files.createDirectories(folder);
    Files.write(folder.resolve("vol.raw"), ReaderFuzzTest.seed("vol.raw"));
    String header = new String(ReaderFuzzTest.seed("vol.mhd"), StandardCharsets.US_ASCII);
    Path f = folder.resolve(name + ".mhd");
    Files.writeString(f, header.replace(replace, with));
    return f;
  }

  private Path text(String name, String content) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, content, StandardCharsets.ISO_8859_1);
    return f;
  }

  @Test
  void everyBadInputGetsAClearMessage() throws IOException {
    java.util.Map<String, BadInputs> area = new java.util.LinkedHashMap<>();
    String[][] areas = {
      {"api", "api"},
      {"DICOM", "dicom"},
      {"MetaImage", "metaimage"},
      {"LIDC XML", "lidc-xml"},
      {"LUNA16 CSV", "luna16-csv"}
    };
    for (String[] a : areas) {
      area.put(a[0], new BadInputs(a[0], a[1], dir));
    }
    // Values handed to the API.
    area.get("api").expect("nodule diameter -1 mm", "-1", () -> NoduleClass.ofDiameterMm(-1));
    area.get("api").expect("class label 8", "0..7", () -> NoduleClass.ofLabel(8));
    area.get("api")
        .expect(
            "blank patient ID",
            "patientId",
            () -> SliceRef.builder().patientId(" ").seriesUid("1.2").sliceIndex(0).build());
    area.get("api")
        .expect(
            "slice index -3",
            "-3",
            () -> SliceRef.builder().patientId("P").seriesUid("1.2").sliceIndex(-3).build());
    area.get("api")
        .expect(
            "slice z = infinity",
            "Infinity",
            () ->
                SliceRef.builder()
                    .patientId("P")
                    .seriesUid("1.2")
                    .sliceIndex(0)
                    .zMm(Double.POSITIVE_INFINITY)
                    .build());
    area.get("api")
        .expect(
            "volume with 10 voxels for 2x2x2",
            "expected 8 voxels",
            () ->
                CtVolume.builder()
                    .size(2, 2)
                    .hu(new float[10])
                    .pixelSpacingMm(1, 1)
                    .zPositionsMm(new double[] {0, 1})
                    .ids("P", "", "S")
                    .build());
    area.get("api")
        .expect(
            "slice positions 0, 0",
            "ascend",
            () ->
                CtVolume.builder()
                    .size(1, 1)
                    .hu(new float[2])
                    .pixelSpacingMm(1, 1)
                    .zPositionsMm(new double[] {0, 0})
                    .ids("P", "", "S")
                    .build());
    area.get("api")
        .expect(
            "pixel spacing 0 mm",
            "spacing",
            () ->
                CtVolume.builder()
                    .size(1, 1)
                    .hu(new float[1])
                    .pixelSpacingMm(0, 1)
                    .zPositionsMm(new double[] {0})
                    .ids("P", "", "S")
                    .build());
    CtVolume one =
        CtVolume.builder()
            .size(1, 1)
            .hu(new float[1])
            .pixelSpacingMm(1, 1)
            .zPositionsMm(new double[] {0})
            .ids("P", "", "S")
            .build();
    area.get("api")
        .expect(
            "3 slice labels for 1 slice",
            "one label per slice (1)",
            () -> one.withSliceLabels(new NoduleClass[3], new double[3]));
    area.get("api")
        .expect(
            "pseudonymisation key of 8 bytes",
            "got 8",
            () -> IdentifierPolicy.pseudonymise(new byte[8]));
    area.get("api").expect("k = 0", "k", () -> SearchRequest.builder().k(0).build());
    area.get("api")
        .expect(
            "maxHitsPerPatient = 0",
            "maxHitsPerPatient",
            () -> SearchRequest.builder().maxHitsPerPatient(0).build());
    area.get("api")
        .expect(
            "progress 2 of 1",
            "done 2 of 1",
            () ->
                new ProgressListener.Progress(
                    ProgressListener.Step.SAVE, 2, 1, java.time.Duration.ZERO));
    area.get("api")
        .expect(
            "feature dimension 2,100,000",
            "2100000",
            () ->
                IndexConfig.builder()
                    .bits(64)
                    .featureDimension(2_100_000)
                    .modelFingerprint("m")
                    .build());
    area.get("api")
        .expect(
            "code length 0 bits",
            "bits",
            () -> IndexConfig.builder().bits(0).featureDimension(8).modelFingerprint("m").build());

    // DICOM files, each alone in a folder: reported and skipped, the message names the file.
    Path notDicom = dir.resolve("text");
    Files.createDirectories(notDicom);
    Files.writeString(notDicom.resolve("note.dcm"), "not an image");
    area.get("DICOM").expect("a text file named .dcm", "note.dcm", () -> readDicom(notDicom));
    TinyDicom jpeg = new TinyDicom();
    jpeg.transferSyntax = "1.2.840.10008.1.2.4.50";
    area.get("DICOM")
        .expect("JPEG-compressed pixels", "jpeg.dcm", () -> readDicom(dicom("jpeg", jpeg)));
    TinyDicom noIntercept = new TinyDicom();
    noIntercept.intercept = null;
    area.get("DICOM")
        .expect(
            "no RescaleIntercept",
            "Rescale Intercept",
            () -> readDicom(dicom("nointercept", noIntercept)));
    TinyDicom noSpacing = new TinyDicom();
    noSpacing.withSpacing = false;
    area.get("DICOM")
        .expect("no PixelSpacing", "Pixel Spacing", () -> readDicom(dicom("nospacing", noSpacing)));
    TinyDicom slope = new TinyDicom();
    slope.slope = 1e300;
    area.get("DICOM")
        .expect("RescaleSlope 1e300", "slope.dcm", () -> readDicom(dicom("slope", slope)));
    TinyDicom huge = new TinyDicom();
    huge.spacing = new double[] {1e308, 1e308};
    area.get("DICOM")
        .expect("PixelSpacing 1e308 mm", "0.01..10", () -> readDicom(dicom("huge", huge)));
    TinyDicom mr = new TinyDicom();
    mr.modality = "MR";
    area.get("DICOM").expect("an MR image", "modality MR", () -> readDicom(dicom("mr", mr)));
    Path cut = dicom("cut", new TinyDicom());
    byte[] all = Files.readAllBytes(cut.resolve("cut.dcm"));
    Files.write(cut.resolve("cut.dcm"), java.util.Arrays.copyOf(all, all.length - 100));
    area.get("DICOM").expect("pixel data cut short by 100 bytes", "cut.dcm", () -> readDicom(cut));
    area.get("DICOM")
        .expect(
            "a folder that does not exist",
            "nowhere: no such file or folder",
            () ->
                new DicomSeriesReader()
                    .read(dir.resolve("nowhere"), VolumeReader.ReadListener.NONE));

    // MetaImage headers.
    area.get("MetaImage")
        .expect("NDims = 2", "NDims", () -> MetaImage.read(mhd("ndims", "NDims = 3", "NDims = 2")));
    area.get("MetaImage")
        .expect(
            "ElementDataFile = /etc/hostname",
            "/etc/hostname",
            () ->
                MetaImage.read(
                    mhd(
                        "outside",
                        "ElementDataFile = vol.raw",
                        "ElementDataFile = /etc/hostname")));
    area.get("MetaImage")
        .expect(
            "ElementDataFile = ../vol.raw",
            "../vol.raw",
            () ->
                MetaImage.read(
                    mhd("up", "ElementDataFile = vol.raw", "ElementDataFile = ../vol.raw")));
    area.get("MetaImage")
        .expect(
            "ElementType = MET_DOUBLE_ARRAY",
            "MET_DOUBLE_ARRAY",
            () -> MetaImage.read(mhd("type", "MET_SHORT", "MET_DOUBLE_ARRAY")));
    area.get("MetaImage")
        .expect(
            "CompressedData = True",
            "CompressedData",
            () -> MetaImage.read(mhd("zip", "CompressedData = False", "CompressedData = True")));
    area.get("MetaImage")
        .expect(
            "ElementSpacing z = 4.9e-324",
            "4.9E-324",
            () -> MetaImage.read(mhd("tiny", "0.8 0.7 2.5", "0.8 0.7 4.9e-324")));
    area.get("MetaImage")
        .expect(
            "Offset x = NaN",
            "Offset",
            () -> MetaImage.read(mhd("nan", "Offset = -100.0", "Offset = NaN")));
    area.get("MetaImage")
        .expect(
            "DimSize larger than the data file",
            "vol.raw",
            () -> MetaImage.read(mhd("short", "DimSize = 8 6 3", "DimSize = 8 6 30")));
    area.get("MetaImage")
        .expect(
            "oblique TransformMatrix",
            "oblique",
            () ->
                MetaImage.read(
                    mhd("oblique", "TransformMatrix = 1 0 0", "TransformMatrix = 0.7 0.7 0")));

    // LIDC XML.
    area.get("LIDC XML")
        .expect(
            "<notLidc/>",
            "x1.xml",
            () -> LidcAnnotations.reads(text("x1.xml", "<notLidc/>"), ReaderFuzzTestVolume.get()));
    area.get("LIDC XML")
        .expect(
            "an unclosed element",
            "x2.xml",
            () ->
                LidcAnnotations.reads(
                    text("x2.xml", "<LidcReadMessage><broken>"), ReaderFuzzTestVolume.get()));
    String seedXml = new String(ReaderFuzzTest.seed("lidc.xml"), StandardCharsets.UTF_8);
    area.get("LIDC XML")
        .expect(
            "xCoord NaN",
            "finite",
            () ->
                LidcAnnotations.reads(
                    text("x3.xml", seedXml.replace("<xCoord>5</xCoord>", "<xCoord>NaN</xCoord>")),
                    ReaderFuzzTestVolume.get()));
    area.get("LIDC XML")
        .expect(
            "encoding X-NO-SUCH-CHARSET",
            "x4.xml",
            () ->
                LidcAnnotations.seriesUid(
                    text("x4.xml", "<?xml version=\"1.0\" encoding=\"X-NO-SUCH-CHARSET\"?><a/>")));
    area.get("LIDC XML")
        .expect(
            "20,000 nested elements",
            "x5.xml",
            () -> LidcAnnotations.seriesUid(text("x5.xml", "<a>".repeat(20_000))));

    // LUNA16 annotations.
    area.get("LUNA16 CSV")
        .expect(
            "a header that is not LUNA16's",
            "c1.csv",
            () -> Luna16Annotations.read(text("c1.csv", "a,b,c\n1,2,3\n")));
    area.get("LUNA16 CSV")
        .expect(
            "a row with 4 fields",
            "line 2",
            () ->
                Luna16Annotations.read(
                    text("c2.csv", "seriesuid,coordX,coordY,coordZ,diameter_mm\n1.2,1,2,3\n")));
    area.get("LUNA16 CSV")
        .expect(
            "bytes that are not UTF-8",
            "UTF-8",
            () ->
                Luna16Annotations.read(
                    text(
                        "c3.csv",
                        "seriesuid,coordX,coordY,coordZ,diameter_mm\n\u00ff\u00fe,1,2,3,4\n")));
    area.get("LUNA16 CSV")
        .expect(
            "diameter -4 mm",
            "line 2",
            () ->
                Luna16Annotations.read(
                    text("c4.csv", "seriesuid,coordX,coordY,coordZ,diameter_mm\n1.2,1,2,3,-4\n")));
    area.get("LUNA16 CSV")
        .expect(
            "a nodule 500 mm beyond its volume",
            "outside",
            () ->
                Luna16Annotations.forVolume(
                    text(
                        "c5.csv",
                        "seriesuid,coordX,coordY,coordZ,diameter_mm\nvol,-97,-98,450," + "5\n"),
                    ReaderFuzzTestVolume.get()));

    List<String> problems = new ArrayList<>();
    for (BadInputs b : area.values()) {
      problems.addAll(b.finish());
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  /** The seed MetaImage volume that the LIDC and LUNA16 cases refer to. */
  static final class ReaderFuzzTestVolume {
    static CtVolume get() throws IOException {
      Path tmp = Files.createTempDirectory("vol");
      Files.write(tmp.resolve("vol.mhd"), ReaderFuzzTest.seed("vol.mhd"));
      Files.write(tmp.resolve("vol.raw"), ReaderFuzzTest.seed("vol.raw"));
      return MetaImage.read(tmp.resolve("vol.mhd"));
    }
  }
}
