package org.cbmir.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Encoder;
import org.cbmir.api.Hit;
import org.cbmir.api.IngestOptions;
import org.cbmir.api.Models;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.ProgressListener;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SimilarCaseSearch;
import org.cbmir.api.VolumeReader;
import org.cbmir.data.DatasetExporter;
import org.cbmir.data.Nodule;
import org.cbmir.data.PatientSplit;
import org.cbmir.data.ThoraxPhantom;
import org.cbmir.data.eval.Evaluation;
import org.cbmir.data.eval.EvaluationReport;

/**
 * The main job of the README: indexes the real LIDC-IDRI series (from {@code ../shared/data} or the
 * folder given as the first argument) with {@link SimilarCaseSearch}, exactly as an application
 * would, asks for the cases most similar to a nodule slice and to a nodule-free slice of a test
 * patient (other patients only), then runs the evaluation on patients the models never saw (real
 * test-patient slices first; see {@link Evaluation}). With no data at all it does the same on
 * generated phantoms, and says so.
 *
 * <p>Thread-safety: a command-line entry point, not meant to be called concurrently.
 */
public final class Demo {
  private Demo() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    Path data = Path.of(args.length > 0 && !args[0].isBlank() ? args[0].trim() : "../shared/data");
    boolean real = Files.isDirectory(data.resolve("lidc-idri"));
    Path archive =
        real ? data.resolve("lidc-idri") : phantoms(Path.of("cbmir-examples/target" + "/phantoms"));
    System.out.println(
        real
            ? "cbmir demo on real CT: " + archive.toAbsolutePath()
            : "no real CT at "
                + data.toAbsolutePath()
                + ": running the demo on generated phantoms");
    long t0 = System.nanoTime();
    try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
      SimilarCaseSearch.IngestReport r =
          cbmir.ingest(archive, IngestOptions.builder().listener(everyQuarter()).build());
      System.out.printf(
          Locale.ROOT,
          "indexed %d slices of %d series in %.1f s (slice classes"
              + " from the radiologists' XML beside the images)%n",
          r.slices(),
          r.volumes(),
          (System.nanoTime() - t0) / 1e9);

      // The queries come from a patient the models never saw (the shipped split's test part).
      PatientSplit split = PatientSplit.shipped();
      DatasetExporter.Source q =
          DatasetExporter.discover(archive, VolumeReader.ReadListener.NONE).stream()
              .filter(s -> !real || split.isTest(s.volume().patientId()))
              .filter(s -> s.nodules().stream().anyMatch(n -> n.readers() >= 3 || !real))
              .findFirst()
              .orElseThrow();
      CtVolume v = q.volume();
      Nodule biggest =
          q.nodules().stream().max(Comparator.comparingDouble(Nodule::diameterMm)).orElseThrow();
      int nodule = biggest.nearestSlice(v);
      int normal = nearestNoduleFree(v, v.depth() / 2);
      System.out.println(
          "\ncolumns: rank; patient; slice number in its series; nodule class"
              + " (from the annotations; 'class unknown' where none covers the slice); Hamming ="
              + " bits in which the "
              + cbmir.index().bits()
              + "-bit hash codes differ (coarse"
              + " stage); FC1 = Euclidean distance of the "
              + cbmir.index().featureDimension()
              + " features that rank the hits (fine stage)");
      for (int k : new int[] {nodule, normal}) {
        if (k < 0) {
          continue;
        }
        CtSlice slice = v.slice(k);
        long s0 = System.nanoTime();
        SearchResult result =
            cbmir.search(
                slice,
                SearchRequest.builder().k(10).excludePatients(Set.of(v.patientId())).build());
        double ms = (System.nanoTime() - s0) / 1e6;
        System.out.printf(
            Locale.ROOT,
            "%nquery: %s slice %d, z %.1f mm, %s (a test patient);"
                + " other patients only; %.1f ms with segmentation and encoding%n",
            v.patientId(),
            k,
            v.zMm(k),
            slice.ref().orElseThrow().noduleInWords(),
            ms);
        for (Hit h : result.hits()) {
          System.out.printf(
              Locale.ROOT,
              "  %2d  %-16s slice %3d  %-26s  Hamming %2d  FC1" + " %.3f%n",
              h.rank(),
              h.ref().patientId(),
              h.ref().sliceIndex(),
              h.ref().noduleInWords(),
              h.hammingDistance(),
              h.featureDistance());
        }
      }
    }
    if (real) {
      Path out = Path.of("cbmir-examples/target/eval");
      DatasetExporter.builder()
          .build()
          .exportFolder(data, out.resolve("dataset"), VolumeReader.ReadListener.NONE);
      try (Encoder enc = Models.encoder()) {
        Evaluation.Summary s = Evaluation.run(out.resolve("dataset"), enc, out);
        System.out.printf(
            Locale.ROOT,
            "%nevaluation against an index of training patients'"
                + " slices (%s): %d real test-patient slices as queries, then %d real nodules"
                + " of test patients inserted into their slices%n",
            out.resolve("summary.json"),
            s.real().queries(),
            s.transplanted().queries());
        System.out.print(EvaluationReport.text(s));
      }
    }
  }

  /** The nodule-free slice nearest {@code from}, or -1. */
  private static int nearestNoduleFree(CtVolume v, int from) {
    for (int d = 0; d < 2 * v.depth(); d++) {
      int c = from + ((d & 1) == 0 ? d / 2 : -(d / 2 + 1));
      if (c >= 0 && c < v.depth() && v.sliceClass(c) == NoduleClass.NONE) {
        return c;
      }
    }
    return -1;
  }

  /** A line at each quarter of each step: the main job's log stays short. */
  private static ProgressListener everyQuarter() {
    return new ProgressListener() {
      private Step step;
      private long quarter;

      @Override
      public void progress(Progress p) {
        long now = p.total() == 0 ? 4 : p.done() * 4 / p.total();
        if (p.step() != step || now > quarter) {
          step = p.step();
          quarter = now;
          System.out.printf(Locale.ROOT, "  %s: %d/%d%n", p.step().words(), p.done(), p.total());
        }
      }
    };
  }

  /** Three phantom patients with LUNA16-style annotations, written as MetaImage files. */
  private static Path phantoms(Path dir) throws IOException {
    List<ThoraxPhantom.Result> patients = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      patients.add(
          ThoraxPhantom.builder()
              .seed(7 + p)
              .patientId("PHANTOM-" + p)
              .slices(40, 2.5)
              .addNodule(6 + 8 * p)
              .addNodule(20)
              .build());
    }
    return ThoraxPhantom.writeArchive(dir, patients);
  }
}
