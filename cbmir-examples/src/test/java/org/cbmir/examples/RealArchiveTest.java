package org.cbmir.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Hit;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.testing.SharedData;
import org.cbmir.data.DatasetExporter;
import org.cbmir.data.Nodule;
import org.junit.jupiter.api.Test;

/** On the real LIDC-IDRI series in ../shared/data; skipped where absent. */
class RealArchiveTest {

  @Test
  void aNoduleQueryFindsNoduleSlicesBeforeNormalOnes() throws IOException {
    Path lidc = SharedData.require().resolve("lidc-idri");
    DatasetExporter.Source p1 =
        DatasetExporter.discover(lidc, VolumeReader.ReadListener.NONE).stream()
            .filter(s -> s.volume().patientId().equals("LIDC-IDRI-0001"))
            .findFirst()
            .orElseThrow();
    Nodule big =
        p1.nodules().stream()
            .max(java.util.Comparator.comparingDouble(Nodule::diameterMm))
            .orElseThrow();
    CtSlice q = p1.volume().slice(big.nearestSlice(p1.volume()));
    assertEquals(NoduleClass.OVER_23, q.ref().orElseThrow().noduleClass());
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      SimilarCaseSearch.IngestReport r = cbmir.ingest(lidc);
      // Every slice of the index carries what the radiologists' XML says of it.
      int labelled = 0;
      for (int ord = 0; ord < cbmir.index().ordinalCount(); ord++) {
        labelled += cbmir.index().ref(ord).noduleClass().isKnown() ? 1 : 0;
      }
      assertTrue(labelled > 0.8 * r.slices(), labelled + " of " + r.slices() + " labelled");
      List<Hit> hits =
          cbmir
              .search(
                  q,
                  SearchRequest.builder().k(10).excludePatients(Set.of("LIDC-IDRI-0001")).build())
              .hits();
      int firstNodule = Integer.MAX_VALUE;
      int firstNormal = Integer.MAX_VALUE;
      for (Hit h : hits) {
        NoduleClass c = h.ref().noduleClass();
        if (c.isKnown() && c != NoduleClass.NONE) {
          firstNodule = Math.min(firstNodule, h.rank());
        } else if (c == NoduleClass.NONE) {
          firstNormal = Math.min(firstNormal, h.rank());
        }
      }
      assertTrue(
          firstNodule < firstNormal,
          "first nodule slice at rank "
              + firstNodule
              + ", first normal slice at rank "
              + firstNormal
              + ": "
              + hits);
    }
  }
}
