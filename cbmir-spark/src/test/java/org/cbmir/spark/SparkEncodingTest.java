package org.cbmir.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.IngestOptions;
import org.cbmir.api.LungMask;
import org.cbmir.api.Models;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.testing.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job on {@code local[2]} against the single-JVM ingest of the same real CT: two
 * LIDC-IDRI series, one of them copied with a truncated DICOM file beside its slices and a
 * MetaImage header whose data file is missing. Skipped where {@code ../shared/data} is absent.
 */
class SparkEncodingTest {
  @TempDir static Path dir;
  static Path data;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    data = SharedData.find();
    if (data != null) {
      spark = LocalSpark.start(2);
    }
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  @BeforeEach
  void needsData() {
    SharedData.assume(data);
  }

  /** Patient 0006's series copied, with a truncated DICOM file and a header without its data. */
  private static Path damagedCopy() throws IOException {
    Path src;
    try (Stream<Path> s = Files.walk(data.resolve("lidc-idri/LIDC-IDRI-0006"))) {
      src =
          s.filter(p -> p.toString().endsWith(".dcm"))
              .map(Path::getParent)
              .findFirst()
              .orElseThrow();
    }
    Path copy = dir.resolve("archive/LIDC-IDRI-0006/series");
    Files.createDirectories(copy);
    try (Stream<Path> s = Files.list(src)) {
      for (Path f : s.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    byte[] slice = Files.readAllBytes(copy.resolve("000001.dcm"));
    Files.write(copy.resolve("zz-truncated.dcm"), java.util.Arrays.copyOf(slice, 2000));
    Path broken = dir.resolve("archive/broken");
    Files.createDirectories(broken);
    Files.writeString(
        broken.resolve("scan.mhd"),
        "ObjectType = Image\nNDims = 3\nDimSize = 64 64 4\nElementType = MET_SHORT\n"
            + "ElementSpacing = 1 1 1\nElementDataFile = scan.raw\n");
    return dir.resolve("archive");
  }

  /** An encoder that keeps every embedding it hands out, in order. */
  private static final class Recording implements Encoder {
    final Encoder inner;
    final List<Embedding> seen = Collections.synchronizedList(new ArrayList<>());

    Recording(Encoder inner) {
      this.inner = inner;
    }

    @Override
    public Embedding encode(CtSlice slice, LungMask mask) {
      Embedding e = inner.encode(slice, mask);
      seen.add(e);
      return e;
    }

    @Override
    public List<Embedding> encodeAll(List<CtSlice> slices, List<LungMask> masks) {
      List<Embedding> e = inner.encodeAll(slices, masks);
      seen.addAll(e);
      return e;
    }

    @Override
    public int featureDimension() {
      return inner.featureDimension();
    }

    @Override
    public int bits() {
      return inner.bits();
    }

    @Override
    public String modelFingerprint() {
      return inner.modelFingerprint();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  @Test
  void sameEmbeddingsAndIndexAsTheSingleJvmIngestAndBadFilesReported() throws IOException {
    Path patient1 = data.resolve("lidc-idri/LIDC-IDRI-0001");
    Path damaged = damagedCopy();

    // The single-JVM path: SimilarCaseSearch ingests the inputs in patient order.
    Recording recording = new Recording(Models.encoder());
    List<String> skipped = new ArrayList<>();
    IngestOptions options =
        IngestOptions.builder()
            .listener(
                new org.cbmir.api.ProgressListener() {
                  @Override
                  public void progress(Progress p) {}

                  @Override
                  public void skipped(Path file, org.cbmir.api.CbmirException reason) {
                    skipped.add(String.valueOf(file));
                  }
                })
            .build();
    Path single = dir.resolve("single.cbmir");
    long singleStart = System.nanoTime();
    List<org.cbmir.api.SliceRef> singleRefs = new ArrayList<>();
    try (SimilarCaseSearch cbmir =
        SimilarCaseSearch.builder().models(Models.segmenter(), recording).create()) {
      cbmir.ingest(patient1, options);
      cbmir.ingest(damaged, options);
      cbmir.save(single);
      System.out.printf(
          Locale.ROOT,
          "single JVM (SimilarCaseSearch): %.1f s%n",
          (System.nanoTime() - singleStart) / 1e9);
      for (int o = 0; o < cbmir.index().ordinalCount(); o++) {
        singleRefs.add(cbmir.index().ref(o));
      }
    }

    long start = System.nanoTime();
    try (EncodedArchive archive =
        ArchiveEncoding.builder().input(patient1).input(damaged).build().encode(spark)) {
      double seconds = (System.nanoTime() - start) / 1e9;
      List<Row> rows = archive.slices().sort(ArchiveSchema.ORDINAL).collectAsList();
      System.out.printf(
          Locale.ROOT,
          "Spark local[2]: %d slices in %.1f s; single JVM: %d slices%n",
          rows.size(),
          seconds,
          singleRefs.size());
      assertEquals(singleRefs.size(), rows.size(), "slices");
      assertEquals(recording.seen.size(), rows.size(), "embeddings recorded");
      float maxDiff = 0;
      int bitIdentical = 0;
      for (int o = 0; o < rows.size(); o++) {
        Row r = rows.get(o);
        assertEquals(o, r.getInt(r.fieldIndex(ArchiveSchema.ORDINAL)));
        // The in-process index keeps diameters at float precision; the table keeps them as read.
        assertEquals(
            atFloat(singleRefs.get(o)), atFloat(EncodedArchive.ref(r)), "ref of ordinal " + o);
        Embedding mine = EncodedArchive.embedding(r, archive.shape().bits(), "m");
        Embedding theirs = recording.seen.get(o);
        assertArrayEquals(theirs.code(), mine.code(), "code of ordinal " + o);
        float[] a = theirs.fc1();
        float[] b = mine.fc1();
        boolean same = true;
        for (int i = 0; i < a.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
          same &= Float.floatToIntBits(a[i]) == Float.floatToIntBits(b[i]);
        }
        bitIdentical += same ? 1 : 0;
      }
      System.out.printf(
          Locale.ROOT,
          "features: largest difference %.3g, %d of %d slices bit-identical%n",
          maxDiff,
          bitIdentical,
          rows.size());
      assertTrue(maxDiff <= 1e-5f, "features within 1e-5, largest difference " + maxDiff);

      List<String> errors =
          archive.errors().collectAsList().stream()
              .map(e -> e.getString(0) + ": " + e.getString(1))
              .toList();
      for (String bad : List.of("zz-truncated.dcm", "scan.mhd", "holds no DICOM images")) {
        assertTrue(errors.stream().anyMatch(e -> e.contains(bad)), bad + " reported: " + errors);
      }
      for (Row e : archive.errors().collectAsList()) {
        assertTrue(
            !e.getString(1).startsWith(e.getString(0)),
            "the reason does not repeat the path: " + e);
      }
      assertTrue(
          skipped.stream().anyMatch(s -> s.endsWith("zz-truncated.dcm")),
          "the single JVM skipped it too: " + skipped);

      Path fromSpark = dir.resolve("spark.cbmir");
      assertEquals(rows.size(), archive.writeIndex(fromSpark));
      try (var index = org.cbmir.api.RetrievalIndexes.openAnyModel(fromSpark)) {
        for (int o = 0; o < rows.size(); o++) {
          assertEquals(singleRefs.get(o), index.ref(o), "indexed ref of ordinal " + o);
        }
      }
      if (bitIdentical == rows.size()) {
        assertArrayEquals(
            Files.readAllBytes(single), Files.readAllBytes(fromSpark), "the same index file");
      }

      // Parquet and back: the model travels in the schema, the index built from it is the same.
      Path parquet = dir.resolve("parquet");
      archive.writeParquet(parquet);
      try (EncodedArchive back = EncodedArchive.read(spark, parquet)) {
        assertEquals(archive.shape(), back.shape());
        assertEquals(errors.size(), back.errors().count());
        Path fromParquet = dir.resolve("parquet.cbmir");
        back.writeIndex(fromParquet);
        assertArrayEquals(Files.readAllBytes(fromSpark), Files.readAllBytes(fromParquet));
      }
      assertThrows(
          java.nio.file.FileAlreadyExistsException.class, () -> archive.writeParquet(parquet));
      try (EncodedArchive again = EncodedArchive.read(spark, parquet)) {
        assertEquals(rows.size(), again.slices().count(), "the earlier table is intact");
      }
    }
  }

  private static org.cbmir.api.SliceRef atFloat(org.cbmir.api.SliceRef r) {
    return r.toBuilder().noduleDiameterMm((float) r.noduleDiameterMm()).build();
  }

  @Test
  void aRerunGivesTheSameTableHoweverPartitioned() throws IOException {
    Path covid = data.resolve("covid19-ny-sbu");
    List<Row> one;
    List<Row> many;
    try (EncodedArchive a =
        ArchiveEncoding.builder().input(covid).partitions(1).build().encode(spark)) {
      one = a.slices().sort(ArchiveSchema.ORDINAL).collectAsList();
    }
    try (EncodedArchive a =
        ArchiveEncoding.builder().input(covid).partitions(7).build().encode(spark)) {
      many = a.slices().sort(ArchiveSchema.ORDINAL).collectAsList();
    }
    assertTrue(one.size() >= 10, "the COVID slices: " + one.size());
    assertEquals(one, many);
  }

  @Test
  void identifiersArePseudonymisedBeforeTheyLeaveTheExecutors() throws IOException {
    Path covid = data.resolve("covid19-ny-sbu");
    byte[] key =
        "a key of thirty-two bytes, test!".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    org.cbmir.api.IdentifierPolicy policy = org.cbmir.api.IdentifierPolicy.pseudonymise(key);
    List<org.cbmir.api.SliceRef> plain;
    List<org.cbmir.api.SliceRef> hidden;
    try (EncodedArchive a = ArchiveEncoding.builder().input(covid).build().encode(spark)) {
      plain = a.slices().collectAsList().stream().map(EncodedArchive::ref).toList();
    }
    try (EncodedArchive a =
        ArchiveEncoding.builder().input(covid).pseudonymise(key).build().encode(spark)) {
      hidden = a.slices().collectAsList().stream().map(EncodedArchive::ref).toList();
    }
    assertEquals(
        plain.stream().map(policy::apply).collect(java.util.stream.Collectors.toSet()),
        java.util.Set.copyOf(hidden),
        "the policy's pseudonyms, as SimilarCaseSearch would store them");
    assertTrue(hidden.stream().allMatch(r -> r.patientId().startsWith("anon-")), "" + hidden);
    assertThrows(
        IllegalArgumentException.class, () -> ArchiveEncoding.builder().pseudonymise(new byte[8]));
  }

  @Test
  void aTableWithoutTheModelIsRefused() {
    Path plain = dir.resolve("plain/" + EncodedArchive.SLICES);
    spark.range(3).toDF("ordinal").write().parquet(plain.toString());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> EncodedArchive.read(spark, plain.getParent()));
    assertTrue(e.getMessage().contains("is not a cbmir slice table"), e.getMessage());
    assertThrows(
        java.nio.file.NoSuchFileException.class,
        () -> EncodedArchive.read(spark, dir.resolve("nothing")));
  }

  @Test
  void badArgumentsAreExplained() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ArchiveEncoding.builder().build());
    assertTrue(e.getMessage().contains("no input"), e.getMessage());
    IllegalArgumentException opt =
        assertThrows(
            IllegalArgumentException.class,
            () -> EncodeArchiveJob.run(new String[] {"--bogus", "1", "x"}, System.out));
    assertTrue(opt.getMessage().contains("--parquet"), opt.getMessage());
  }
}
