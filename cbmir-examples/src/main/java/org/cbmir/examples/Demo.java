package org.cbmir.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
import org.cbmir.data.eval.Evaluation;
import org.cbmir.data.eval.EvaluationReport;
import org.cbmir.data.LabelledSlices;
import org.cbmir.data.Nodule;
import org.cbmir.data.PatientSplit;
import org.cbmir.data.SliceLabels;
import org.cbmir.data.ThoraxPhantom;

/**
 * The main job of the README: indexes the real LIDC-IDRI series (from {@code ../shared/data} or the
 * folder given as the first argument) with the shipped models, asks for the cases most similar to
 * a nodule slice and to a normal slice of a test patient (whose own slices are excluded), prints
 * each top 10, then runs the evaluation (real test-patient slices first; see {@link Evaluation})
 * and prints its summary. With no data
 * at all it does the same on generated phantoms, and says so.
 *
 * <p>Thread-safety: a command-line entry point, not meant to be called concurrently.
 */
public final class Demo {
  private Demo() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    Path data = Path.of(args.length > 0 && !args[0].isBlank() ? args[0].trim()
        : "../shared/data");
    boolean real = Files.isDirectory(data.resolve("lidc-idri"));
    List<DatasetExporter.Source> sources = new ArrayList<>();
    if (real) {
      System.out.println("cbmir demo on real CT: " + data.resolve("lidc-idri").toAbsolutePath());
      sources.addAll(DatasetExporter.discover(data.resolve("lidc-idri"),
          VolumeReader.ReadListener.NONE));
    } else {
      System.out.println("no real CT at " + data.toAbsolutePath()
          + ": running the demo on generated phantoms");
      for (int p = 0; p < 3; p++) {
        ThoraxPhantom.Result r = ThoraxPhantom.builder().seed(7 + p).patientId("PHANTOM-" + p)
            .slices(40, 2.5).addNodule(6 + 8 * p).addNodule(20).build();
        sources.add(new DatasetExporter.Source(r.volume(), r.nodules(), "phantom"));
      }
    }
    long t0 = System.nanoTime();
    try (Segmenter seg = Models.segmenter(); Encoder enc = Models.encoder();
         RetrievalIndex index = LabelledIndex.build(sources, seg, enc,
             Cli.progress("indexing"))) {
      System.out.printf("indexed %d slices of %d series in %.1f s%n", index.size(),
          sources.size(), (System.nanoTime() - t0) / 1e9);
      // The query comes from a patient the models never saw (the shipped split's test part).
      PatientSplit split = PatientSplit.shipped();
      DatasetExporter.Source q = sources.stream()
          .filter(s -> !real || split.isTest(s.volume().patientId()))
          .filter(s -> s.nodules().stream().anyMatch(n -> n.readers() >= 3 || !real))
          .findFirst().orElse(sources.get(0));
      System.out.println("\ncolumns: rank, patient, slice, class (nodule diameter class from the"
          + " radiologists' XML; ? where the slice has no annotation), Hamming (bits in which the"
          + " 64-bit hash codes differ: the coarse stage), FC1 (Euclidean distance of the 256"
          + " features that rank the hits: the fine stage)");
      Nodule biggest = q.nodules().stream()
          .max(java.util.Comparator.comparingDouble(Nodule::diameterMm)).orElse(null);
      NoduleClass[] labels = SliceLabels.label(q.volume(), q.nodules(),
          SliceLabels.DEFAULT_MARGIN_MM);
      double[] diameters = SliceLabels.diameters(q.volume(), q.nodules());
      int nodule = biggest == null ? q.volume().depth() / 2 : biggest.nearestSlice(q.volume());
      int normal = -1;
      for (int k = q.volume().depth() / 2, d = 0; d < q.volume().depth(); d++) {
        int c = k + ((d & 1) == 0 ? d / 2 : -(d / 2 + 1));
        if (c >= 0 && c < q.volume().depth() && labels[c] == NoduleClass.NONE) {
          normal = c;
          break;
        }
      }
      for (int k : new int[] {nodule, normal}) {
        if (k < 0) {
          continue;
        }
        CtSlice slice = LabelledSlices.slice(q, k);
        SearchRequest request = SearchRequest.builder().k(10)
            .excludePatients(Set.of(q.volume().patientId())).build();
        long s0 = System.nanoTime();
        var result = index.search(enc.encode(slice, seg.segment(slice)), request);
        double ms = (System.nanoTime() - s0) / 1e6;
        System.out.printf(Locale.ROOT, "%nquery %s slice %d, z %.1f mm (%s), a test patient;"
                + " other patients only; %.1f ms including segmentation and encoding:%n",
            q.volume().patientId(), k, q.volume().zMm(k), labels[k] == null ? "class unknown"
                : labels[k] == NoduleClass.NONE ? "no nodule"
                : String.format(Locale.ROOT, "nodule of %.1f mm, class %s", diameters[k],
                    labels[k]), ms);
        for (Hit h : result.hits()) {
          System.out.printf(Locale.ROOT, "  %2d  %-16s slice %3d  class %-8s  Hamming %2d  FC1"
                  + " %.3f%n", h.rank(), h.ref().patientId(), h.ref().sliceIndex(),
              h.ref().noduleClass().description(),
              h.hammingDistance(), h.featureDistance());
        }
      }
    }
    if (real) {
      Path out = Path.of("cbmir-examples/target/eval");
      System.out.println("\nevaluation: test patients' slices and nodules as queries against an"
          + " index of training patients' (" + out.resolve("summary.json") + "):");
      DatasetExporter.builder().build().exportFolder(data, out.resolve("dataset"),
          VolumeReader.ReadListener.NONE);
      try (Encoder enc = Models.encoder()) {
        System.out.print(EvaluationReport.text(Evaluation.run(out.resolve("dataset"), enc, out)));
      }
    }
  }
}
