package org.cbmir.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Encoder;
import org.cbmir.api.Hit;
import org.cbmir.api.Models;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.Segmenter;
import org.cbmir.api.VolumeReader;
import org.cbmir.data.DatasetExporter;
import org.cbmir.data.Nodule;
import org.cbmir.data.SliceLabels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** On the real LIDC-IDRI series in ../shared/data; skipped where absent. */
class RealArchiveTest {

  @Test
  void aNoduleQueryFindsNoduleSlicesBeforeNormalOnes() throws IOException {
    Path data = Path.of(System.getProperty("cbmir.shared.data", "../shared/data"));
    Assumptions.assumeTrue(Files.isDirectory(data.resolve("lidc-idri")),
        "real CT data not found at " + data.toAbsolutePath() + "; skipping");
    List<DatasetExporter.Source> sources = DatasetExporter.discover(data.resolve("lidc-idri"),
        VolumeReader.ReadListener.NONE);
    DatasetExporter.Source p1 = sources.stream()
        .filter(s -> s.volume().patientId().equals("LIDC-IDRI-0001")).findFirst().orElseThrow();
    Nodule big = p1.nodules().stream()
        .max(java.util.Comparator.comparingDouble(Nodule::diameterMm)).orElseThrow();
    int k = big.nearestSlice(p1.volume());
    NoduleClass[] labels = SliceLabels.label(p1.volume(), p1.nodules(), 5);
    try (Segmenter seg = Models.segmenter(); Encoder enc = Models.encoder();
         RetrievalIndex index = LabelledIndex.build(sources, seg, enc,
             VolumeReader.ReadListener.NONE)) {
      CtSlice q = org.cbmir.data.LabelledSlices.slice(p1, k);
      assertEquals(labels[k], q.ref().noduleClass());
      List<Hit> hits = index.search(enc.encode(q, seg.segment(q)), SearchRequest.builder()
          .k(10).excludePatients(Set.of("LIDC-IDRI-0001")).build()).hits();
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
      assertTrue(firstNodule < firstNormal, "first nodule slice at rank " + firstNodule
          + ", first normal slice at rank " + firstNormal + ": " + hits);
    }
  }
}
