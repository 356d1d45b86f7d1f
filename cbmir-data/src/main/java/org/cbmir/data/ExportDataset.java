package org.cbmir.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import org.cbmir.api.CbmirException;
import org.cbmir.api.VolumeReader.ReadListener;
import org.cbmir.api.preprocessing.ModelInput;

/**
 * Command line: builds the training dataset from a folder of LIDC-IDRI (DICOM + XML) or LUNA16
 * (MetaImage + annotations.csv) data, or from phantoms when the folder has none.
 *
 * <pre>
 * mvn -B -q -Pexport-dataset package -DskipTests \
 *     -Dexport.args="--data ../shared/data --out target/dataset"
 * </pre>
 *
 * <p>Options: {@code --data DIR} (default {@code ../shared/data}), {@code --out DIR} (default
 * {@code target/dataset}), {@code --inserted-per-class N} (0), {@code --seed N} (1), {@code --size
 * PX} (256), {@code --spacing MM} (1.25), {@code --test-patients ID,ID} or {@code --split CSV}
 * (default: the shipped {@link PatientSplit}), {@code --phantoms N} (patients generated when no
 * data is found, 4). Nodule crops in {@code DIR/lidc-nodule-crops} are transplanted (see {@link
 * DatasetExporter.Builder#crops}).
 *
 * <p>Thread-safety: a command-line entry point, not meant to be called concurrently.
 */
public final class ExportDataset {
  private ExportDataset() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    Path data = Path.of("../shared/data");
    Path out = Path.of("target/dataset");
    DatasetExporter.Builder b = DatasetExporter.builder();
    int size = ModelInput.DEFAULT.size();
    double spacing = ModelInput.DEFAULT.spacingMm();
    int phantoms = 4;
    List<String> a = new ArrayList<>();
    for (String s : args) {
      a.addAll(Arrays.asList(s.trim().split("\\s+")));
    }
    a.removeIf(String::isEmpty);
    for (int i = 0; i < a.size(); i++) {
      String opt = a.get(i);
      if (i + 1 >= a.size()) {
        usage("option " + opt + " needs a value");
      }
      String v = a.get(++i);
      switch (opt) {
        case "--data" -> data = Path.of(v);
        case "--out" -> out = Path.of(v);
        case "--inserted-per-class" -> b.insertedPerClass(Integer.parseInt(v));
        case "--seed" -> b.seed(Long.parseLong(v));
        case "--size" -> size = Integer.parseInt(v);
        case "--spacing" -> spacing = Double.parseDouble(v);
        case "--test-patients" -> b.testPatients(new HashSet<>(Arrays.asList(v.split(","))));
        case "--split" -> b.split(PatientSplit.read(Path.of(v)));
        case "--phantoms" -> phantoms = Integer.parseInt(v);
        default -> usage("unknown option " + opt);
      }
    }
    b.modelInput(new ModelInput(size, spacing));
    ReadListener listener =
        new ReadListener() {
          @Override
          public void skipped(Path file, CbmirException reason) {
            System.err.println("skipped: " + reason.getMessage());
          }
        };
    List<DatasetExporter.Source> sources = new ArrayList<>();
    if (Files.isDirectory(data)) {
      sources.addAll(DatasetExporter.discover(data, listener));
      Path crops = NoduleCrops.find(data);
      if (crops != null) {
        List<NoduleCrops.Crop> all = NoduleCrops.read(crops);
        System.out.println("nodule crops: " + all.size() + " from " + crops);
        b.crops(all);
      }
    }
    if (sources.isEmpty()) {
      System.out.println(
          "no CT found under " + data + "; exporting " + phantoms + " phantom patients instead");
      for (int p = 0; p < phantoms; p++) {
        ThoraxPhantom.Result r =
            ThoraxPhantom.builder()
                .seed(100 + p)
                .patientId("PHANTOM-" + p)
                .slices(40, 2.5)
                .addNodule(4)
                .addNodule(7)
                .addNodule(12)
                .addNodule(20)
                .build();
        sources.add(new DatasetExporter.Source(r.volume(), r.nodules(), "phantom"));
      }
    }
    long t0 = System.nanoTime();
    DatasetExporter.Summary s = b.build().export(sources, out);
    System.out.printf(
        Locale.ROOT,
        "exported %s records to %s in %.1f s%n",
        s.recordsPerSplit(),
        out,
        (System.nanoTime() - t0) / 1e9);
    System.out.println("train patients: " + s.trainPatients());
    System.out.println("test patients:  " + s.testPatients());
    System.out.println("per class: " + s.perClass());
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: ExportDataset [--data DIR] [--out DIR] [--inserted-per-class N]"
            + " [--seed N] [--size PX] [--spacing MM] [--test-patients ID,ID] [--split CSV]"
            + " [--phantoms N]");
    System.exit(2);
  }
}
