package org.cbmir.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Hit;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.VolumeReader;
import org.cbmir.data.MetaImage;
import org.cbmir.data.ThoraxPhantom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end on phantoms: read, segment, encode, index, search, save and reopen. */
class SimilarCaseSearchTest {
  @TempDir Path dir;

  @Test
  void indexAndSearchPhantoms() throws IOException {
    Path archive = dir.resolve("archive");
    Files.createDirectories(archive);
    CtVolume first = null;
    for (int p = 0; p < 3; p++) {
      CtVolume v = ThoraxPhantom.builder().seed(40 + p).size(192).pixelSpacingMm(1.8)
          .slices(10, 5).patientId("PH" + p).addNodule(10 + 5 * p).build().volume();
      MetaImage.write(v, archive.resolve("PH" + p + ".mhd"), MetaImage.ElementType.MET_SHORT);
      first = first == null ? MetaImage.read(archive.resolve("PH0.mhd")) : first;
    }
    Files.writeString(archive.resolve("broken.mhd"), "NDims = 2\n");
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      SimilarCaseSearch.IngestReport r = cbmir.ingest(archive, VolumeReader.ReadListener.NONE);
      assertEquals(3, r.volumes());
      assertEquals(30, r.slices());
      assertEquals(1, r.skippedFiles(), "the broken header is reported and skipped");

      CtSlice query = first.slice(4);
      List<Hit> hits = cbmir.search(query, SearchRequest.builder().k(5).build()).hits();
      assertEquals("PH0", hits.get(0).ref().patientId(), "the slice itself ranks first");
      assertEquals(4, hits.get(0).ref().sliceIndex());
      assertEquals(0f, hits.get(0).featureDistance(), 1e-3f);

      List<Hit> others = cbmir.search(query, SearchRequest.builder().k(10)
          .excludePatients(Set.of("PH0")).build()).hits();
      assertEquals(10, others.size());
      assertTrue(others.stream().noneMatch(h -> h.ref().patientId().equals("PH0")));

      Path saved = dir.resolve("archive.cbmir");
      cbmir.save(saved);
      try (SimilarCaseSearch again = SimilarCaseSearch.open(saved)) {
        assertEquals(hits, again.search(query, SearchRequest.builder().k(5).build()).hits());
      }
      assertThrows(UnreadableInputException.class,
          () -> cbmir.search(archive.resolve("broken.mhd"), 3));
    }
  }

  @Test
  void emptyFolderIsExplained() throws IOException {
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      UnreadableInputException e = assertThrows(UnreadableInputException.class,
          () -> cbmir.ingest(empty, VolumeReader.ReadListener.NONE));
      assertTrue(e.getMessage().contains("no CT volume"), e.getMessage());
    }
  }
}
