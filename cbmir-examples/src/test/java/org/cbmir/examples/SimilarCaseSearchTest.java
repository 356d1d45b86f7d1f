package org.cbmir.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cbmir.api.CbmirException;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.Hit;
import org.cbmir.api.IdentifierPolicy;
import org.cbmir.api.IngestOptions;
import org.cbmir.api.LungMask;
import org.cbmir.api.Models;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.ProgressListener;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.SliceRef;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.data.MetaImage;
import org.cbmir.data.ThoraxPhantom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on phantoms: read, label, segment, encode, index, search, save and reopen. */
class SimilarCaseSearchTest {
  @TempDir Path dir;

  /** Three phantom patients as MetaImage files; with LUNA16 rows for them when asked. */
  private Path archive(String name, boolean annotated) throws IOException {
    List<ThoraxPhantom.Result> patients = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      patients.add(
          ThoraxPhantom.builder()
              .seed(40 + p)
              .size(192)
              .pixelSpacingMm(1.8)
              .slices(10, 5)
              .patientId("PH" + p)
              .addNodule(10 + 5 * p)
              .build());
    }
    Path archive = ThoraxPhantom.writeArchive(dir.resolve(name), patients);
    if (!annotated) {
      Files.delete(archive.resolve("annotations.csv"));
    }
    return archive;
  }

  /** Collects the messages of skipped files and series. */
  private static ProgressListener collecting(List<String> reasons) {
    return new ProgressListener() {
      @Override
      public void progress(Progress p) {}

      @Override
      public void skipped(Path file, CbmirException reason) {
        reasons.add(reason.getMessage());
      }
    };
  }

  @Test
  void indexAndSearchPhantoms() throws IOException {
    Path archive = archive("archive", false);
    CtVolume first = MetaImage.read(archive.resolve("PH0.mhd"));
    Files.writeString(archive.resolve("broken.mhd"), "NDims = 2\n");
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      SimilarCaseSearch.IngestReport r = cbmir.ingest(archive);
      assertEquals(3, r.volumes());
      assertEquals(30, r.slices());
      assertEquals(1, r.skippedFiles(), "the broken header is reported and skipped");

      CtSlice query = first.slice(4);
      List<Hit> hits = cbmir.search(query, SearchRequest.builder().k(5).build()).hits();
      assertEquals("PH0", hits.get(0).ref().patientId(), "the slice itself ranks first");
      assertEquals(4, hits.get(0).ref().sliceIndex());
      assertEquals(0f, hits.get(0).featureDistance(), 1e-3f);
      assertEquals(
          NoduleClass.UNKNOWN,
          hits.get(0).ref().noduleClass(),
          "no annotations beside the images: class unknown, never null");

      List<Hit> others =
          cbmir
              .search(query, SearchRequest.builder().k(10).excludePatients(Set.of("PH0")).build())
              .hits();
      assertEquals(10, others.size());
      assertTrue(others.stream().noneMatch(h -> h.ref().patientId().equals("PH0")));

      Path saved = dir.resolve("archive.cbmir");
      cbmir.save(saved);
      try (SimilarCaseSearch again = SimilarCaseSearch.open(saved)) {
        assertEquals(hits, again.search(query, SearchRequest.builder().k(5).build()).hits());
        SimilarCaseSearch.IngestReport twice = again.ingest(archive);
        assertEquals(3, twice.skippedDuplicates(), "series of the reopened index recognised");
        assertEquals(30, again.index().size());
      }
      try (SimilarCaseSearch mapped = SimilarCaseSearch.builder().memoryMapped().open(saved)) {
        assertTrue(mapped.index().isReadOnly());
        assertEquals(hits, mapped.search(query, SearchRequest.builder().k(5).build()).hits());
        UnsupportedOperationException e =
            assertThrows(UnsupportedOperationException.class, () -> mapped.ingest(archive));
        assertTrue(e.getMessage().contains("memoryMapped()"), e.getMessage());
      }
      assertThrows(
          UnreadableInputException.class, () -> cbmir.search(archive.resolve("broken.mhd"), 3));
    }
  }

  @Test
  void annotationsBesideTheImagesLabelEverySlice() throws IOException {
    Path archive = archive("annotated", true);
    List<ProgressListener.Progress> seen = new ArrayList<>();
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      cbmir.ingest(archive, IngestOptions.builder().listener(seen::add).build());
      RetrievalIndex index = cbmir.index();
      int nodules = 0;
      for (int ord = 0; ord < index.ordinalCount(); ord++) {
        SliceRef ref = index.ref(ord);
        assertTrue(
            ref.knownClass().isPresent() || Double.isNaN(ref.noduleDiameterMm()),
            "known class, or unknown near a nodule: " + ref);
        nodules += ref.noduleClass().isKnown() && ref.noduleClass() != NoduleClass.NONE ? 1 : 0;
      }
      assertTrue(nodules >= 3, "every phantom's nodule slices labelled, got " + nodules);
      ProgressListener.Progress last = seen.get(seen.size() - 1);
      assertEquals(ProgressListener.Step.ENCODE, last.step());
      assertEquals(30, last.total());
      assertTrue(last.isComplete() && last.perSecond() > 0 && last.eta().isPresent(), "" + last);
      assertTrue(
          seen.stream().anyMatch(p -> p.step() == ProgressListener.Step.READ && p.isComplete()),
          "reading reported");
    }
  }

  @Test
  void aNoduleOutsideItsVolumeIsReportedAndTheSeriesStaysUnlabelled() throws IOException {
    Path archive = archive("misplaced", true);
    CtVolume v = MetaImage.read(archive.resolve("PH1.mhd"));
    Files.writeString(
        archive.resolve("annotations.csv"),
        String.format(
            Locale.ROOT,
            "seriesuid,coordX,coordY,coordZ,diameter_mm%n%s,0,0,%.1f,8.0%n",
            v.seriesUid(),
            v.zMm(v.depth() - 1) + 500));
    List<String> reasons = new ArrayList<>();
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      SimilarCaseSearch.IngestReport r =
          cbmir.ingest(archive, IngestOptions.builder().listener(collecting(reasons)).build());
      assertEquals(3, r.volumes());
      assertEquals(1, reasons.size(), "" + reasons);
      assertTrue(
          reasons.get(0).contains("annotations.csv") && reasons.get(0).contains("outside"),
          reasons.get(0));
      for (int ord = 0; ord < cbmir.index().ordinalCount(); ord++) {
        assertEquals(NoduleClass.UNKNOWN, cbmir.index().ref(ord).noduleClass());
      }
    }
  }

  @Test
  void ingestTwiceSkipsOrReplacesAndNeverDuplicates() throws IOException {
    Path archive = archive("twice", false);
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      cbmir.ingest(archive);
      SimilarCaseSearch.IngestReport again = cbmir.ingest(archive);
      assertEquals(new SimilarCaseSearch.IngestReport(0, 0, 0, 3, 0), again);
      assertEquals(30, cbmir.index().size());

      SimilarCaseSearch.IngestReport replaced =
          cbmir.ingest(archive, IngestOptions.builder().replaceIndexedSeries().build());
      assertEquals(new SimilarCaseSearch.IngestReport(3, 30, 0, 0, 3), replaced);
      assertEquals(30, cbmir.index().size());
      assertEquals(60, cbmir.index().ordinalCount());
      for (int ord = 0; ord < 30; ord++) {
        assertTrue(cbmir.index().isRemoved(ord), "replaced slice " + ord + " removed");
      }
    }
  }

  @Test
  void aVolumeThatFailsToEncodeLeavesNoTrace() throws IOException {
    Path archive = archive("atomic", false);
    Encoder shipped = Models.encoder();
    // Fails on the 7th slice of PH1: the first six were encoded, none may reach the index.
    Encoder failing =
        new Encoder() {
          @Override
          public Embedding encode(CtSlice slice, LungMask mask) {
            if (slice.ref().orElseThrow().patientId().equals("PH1")
                && slice.ref().orElseThrow().sliceIndex() == 6) {
              throw new IllegalArgumentException("simulated model failure");
            }
            return shipped.encode(slice, mask);
          }

          @Override
          public int featureDimension() {
            return shipped.featureDimension();
          }

          @Override
          public int bits() {
            return shipped.bits();
          }

          @Override
          public String modelFingerprint() {
            return shipped.modelFingerprint();
          }

          @Override
          public void close() {
            shipped.close();
          }
        };
    List<String> reasons = new ArrayList<>();
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create(Models.segmenter(), failing)) {
      SimilarCaseSearch.IngestReport r =
          cbmir.ingest(archive, IngestOptions.builder().listener(collecting(reasons)).build());
      assertEquals(2, r.volumes());
      assertEquals(20, r.slices());
      assertEquals(1, r.skippedFiles());
      assertTrue(
          reasons.get(0).contains("simulated model failure") && reasons.get(0).contains("PH1"),
          reasons.get(0));
      for (int ord = 0; ord < cbmir.index().ordinalCount(); ord++) {
        assertNotEquals("PH1", cbmir.index().ref(ord).patientId());
      }
    }
  }

  @Test
  void pseudonymisedIndexHoldsNoIdentifierFromTheImages() throws IOException {
    Path archive = archive("private", true);
    CtVolume raw = MetaImage.read(archive.resolve("PH0.mhd"));
    IdentifierPolicy policy =
        IdentifierPolicy.pseudonymise(
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    Path saved = dir.resolve("private.cbmir");
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.builder().identifiers(policy).create()) {
      cbmir.ingest(archive);
      for (int ord = 0; ord < cbmir.index().ordinalCount(); ord++) {
        SliceRef ref = cbmir.index().ref(ord);
        assertTrue(ref.patientId().startsWith("anon-"), ref.patientId());
        assertTrue(ref.seriesUid().matches("2\\.25\\.[0-9]+"), ref.seriesUid());
        assertFalse(ref.patientId().startsWith("PH"), ref.patientId());
      }
      assertEquals(
          3,
          cbmir.ingest(archive).skippedDuplicates(),
          "pseudonyms are stable, so a re-ingested series is recognised");
      List<Hit> hits =
          cbmir
              .search(
                  raw.slice(3),
                  SearchRequest.builder()
                      .k(10)
                      .excludePatients(Set.of(policy.patientId("PH0")))
                      .build())
              .hits();
      assertTrue(hits.stream().noneMatch(h -> h.ref().patientId().equals(policy.patientId("PH0"))));
      cbmir.save(saved);
    }
    String bytes = new String(Files.readAllBytes(saved), StandardCharsets.ISO_8859_1);
    assertFalse(
        bytes.contains("PH0") || bytes.contains(raw.seriesUid()),
        "the saved file holds no patient ID or series UID from the images");
  }

  @Test
  void emptyFolderIsExplained() throws IOException {
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      UnreadableInputException e =
          assertThrows(UnreadableInputException.class, () -> cbmir.ingest(empty));
      assertTrue(e.getMessage().contains("no CT volume"), e.getMessage());
    }
  }
}
