package org.cbmir.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.LungMask;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.VolumeReader.ReadListener;
import org.cbmir.api.preprocessing.ModelInput;
import org.cbmir.api.preprocessing.ThresholdLungMask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the training dataset that {@code training/} reads: labelled slices on the models' pixel
 * grid ({@link ModelInput}), split by patient, as NumPy files plus a provenance CSV.
 *
 * <p>Per split ({@code train}, {@code test}): {@code <split>_images.npy} float32 {@code
 * [N,1,S,S]} in HU, {@code <split>_masks.npy} uint8 {@code [N,1,S,S]} (the threshold lung mask,
 * the U-Net's label), {@code <split>_labels.npy} int64 {@code [N]} (the paper's classes). {@code
 * provenance.csv} has one row per record: split, index, patient, series UID, slice index, z,
 * class, nodule diameter, source ({@code real}, {@code inserted} or {@code phantom}).
 *
 * <p>Every real slice with a label is exported (slices near a nodule but outside it are excluded,
 * see {@link SliceLabels}); then, per multi-slice real volume and per nodule class, {@code
 * insertedPerClass} synthetic nodules of random diameters within the class are inserted, four
 * per copy of the volume (see {@link NoduleInserter}), and the slices they cover are exported. Single slices (scanner variety)
 * with lungs in them become class-0 examples and get one inserted nodule per class.
 *
 * <p>Thread-safety: the builder is not thread-safe; an exporter is used by one thread.
 */
public final class DatasetExporter {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetExporter.class);
  /** Diameter ranges drawn for inserted nodules, per class label (mm). */
  private static final double[][] RANGES = {
    {0, 0}, {3.0, 5.0}, {5.05, 6.0}, {6.05, 8.0}, {8.05, 13.0}, {13.05, 18.0}, {18.05, 23.0},
    {23.05, 30.0}};

  /** One volume with its nodules and its kind ("real" or "phantom"). Thread-safety: immutable. */
  public record Source(CtVolume volume, List<Nodule> nodules, String kind) {}

  /** What was written. Thread-safety: immutable once returned. */
  public record Summary(Map<String, Integer> recordsPerSplit,
      Map<String, Map<NoduleClass, Integer>> perClass, Set<String> trainPatients,
      Set<String> testPatients) {}

  private final ModelInput input;
  private final int insertedPerClass;
  private final long seed;
  private final Set<String> testPatients;
  private final double marginMm;

  private DatasetExporter(Builder b) {
    this.input = b.input;
    this.insertedPerClass = b.insertedPerClass;
    this.seed = b.seed;
    this.testPatients = b.testPatients;
    this.marginMm = b.marginMm;
  }

  /** A builder with the defaults: {@link ModelInput#DEFAULT}, 16 inserted per class, seed 1. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link DatasetExporter}. Not thread-safe. */
  public static final class Builder {
    private ModelInput input = ModelInput.DEFAULT;
    private int insertedPerClass = 16;
    private long seed = 1;
    private Set<String> testPatients;
    private double marginMm = SliceLabels.DEFAULT_MARGIN_MM;

    private Builder() {}

    /** The models' pixel grid (default 256 px at 1.25 mm). */
    public Builder modelInput(ModelInput input) {
      this.input = input;
      return this;
    }

    /** Synthetic nodules per class per real volume (default 16; 0 for none). */
    public Builder insertedPerClass(int n) {
      this.insertedPerClass = n;
      return this;
    }

    /** Seed of the insertion and of nothing else (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Patients held out for testing. Default: the last multi-slice patient in sorted order and
     * every fifth single-slice patient.
     */
    public Builder testPatients(Set<String> patients) {
      this.testPatients = Set.copyOf(patients);
      return this;
    }

    /** Exclusion margin around nodules (default 5 mm). */
    public Builder marginMm(double mm) {
      this.marginMm = mm;
      return this;
    }

    /**
     * Builds the exporter.
     *
     * @throws IllegalArgumentException on a negative count or margin
     */
    public DatasetExporter build() {
      if (insertedPerClass < 0 || !(marginMm >= 0)) {
        throw new IllegalArgumentException("insertedPerClass and margin must be >= 0, got "
            + insertedPerClass + " and " + marginMm);
      }
      return new DatasetExporter(this);
    }
  }

  /**
   * Finds every CT volume under {@code root} (DICOM series and MetaImage files) with its nodules:
   * LIDC XML reads beside a series when present, else LUNA16 {@code annotations.csv} rows.
   */
  public static List<Source> discover(Path root, ReadListener listener) throws IOException {
    List<CtVolume> volumes = new ArrayList<>(new DicomSeriesReader().read(root, listener));
    volumes.addAll(new MetaImage().read(root, listener));
    Map<String, Path> xmlBySeries = new HashMap<>();
    List<Nodule> luna = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".xml")) {
          try {
            String uid = LidcAnnotations.seriesUid(p);
            if (!uid.isEmpty()) {
              xmlBySeries.put(uid, p);
            }
          } catch (IOException e) {
            listener.skipped(p, e instanceof org.cbmir.api.CbmirException c ? c
                : new org.cbmir.api.UnreadableInputException(p, e.getMessage(), e));
          }
        } else if (name.equals("annotations.csv")) {
          luna.addAll(Luna16Annotations.read(p));
        }
      }
    }
    List<Source> out = new ArrayList<>();
    for (CtVolume v : volumes) {
      List<Nodule> nodules = new ArrayList<>();
      Path xml = xmlBySeries.get(v.seriesUid());
      if (xml != null) {
        nodules.addAll(LidcAnnotations.nodules(xml, v));
      } else {
        for (Nodule n : luna) {
          if (n.seriesUid().equals(v.seriesUid())) {
            nodules.add(n);
          }
        }
      }
      out.add(new Source(v, nodules, "real"));
    }
    return out;
  }

  /** Exports the sources to {@code outDir} (created if missing). */
  public Summary export(List<Source> sources, Path outDir) throws IOException {
    Files.createDirectories(outDir);
    Set<String> test = testPatients != null ? testPatients : defaultTestPatients(sources);
    Set<String> trainPatients = new TreeSet<>();
    Set<String> testSeen = new TreeSet<>();
    Random rnd = new Random(seed);
    NoduleInserter inserter = new NoduleInserter(seed);
    int s = input.size();
    Map<String, Split> splits = new HashMap<>();
    try (BufferedWriter csv = Files.newBufferedWriter(outDir.resolve("provenance.csv"),
        StandardCharsets.UTF_8)) {
      csv.write("split,index,patient,series_uid,slice_index,z_mm,class,diameter_mm,source\n");
      for (String name : List.of("train", "test")) {
        splits.put(name, new Split(outDir, name, s));
      }
      try {
        for (Source src : sources) {
          CtVolume v = src.volume();
          String split = test.contains(v.patientId()) ? "test" : "train";
          (split.equals("test") ? testSeen : trainPatients).add(v.patientId());
          Split out = splits.get(split);
          NoduleClass[] labels = SliceLabels.label(v, src.nodules(), marginMm);
          double[] diam = SliceLabels.diameters(v, src.nodules());
          for (int k = 0; k < v.depth(); k++) {
            if (labels[k] != null && hasLungs(v, k)) {
              out.add(csv, v, k, labels[k], diam[k], src.kind(), input);
            }
          }
          if (insertedPerClass == 0 || !src.kind().equals("real")) {
            continue;
          }
          for (int c = 1; c < NoduleClass.COUNT; c++) {
            insertClass(v, src.nodules(), c, inserter, rnd, out, csv);
          }
        }
      } finally {
        for (Split sp : splits.values()) {
          sp.close();
        }
      }
    }
    Map<String, Integer> counts = new HashMap<>();
    Map<String, Map<NoduleClass, Integer>> perClass = new HashMap<>();
    for (var e : splits.entrySet()) {
      counts.put(e.getKey(), e.getValue().count);
      perClass.put(e.getKey(), e.getValue().perClass);
    }
    return new Summary(counts, perClass, trainPatients, testSeen);
  }

  /** Nodules inserted into one copy of a volume: few enough that they always find room. */
  private static final int PER_COPY = 4;

  private void insertClass(CtVolume v, List<Nodule> real, int c, NoduleInserter inserter,
      Random rnd, Split out, BufferedWriter csv) throws IOException {
    if (v.depth() == 1 && !hasLungs(v, 0)) {
      return;
    }
    int remaining = v.depth() == 1 ? 1 : insertedPerClass;
    while (remaining > 0) {
      int n = Math.min(PER_COPY, remaining);
      remaining -= n;
      List<Double> diameters = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        diameters.add(RANGES[c][0] + rnd.nextDouble() * (RANGES[c][1] - RANGES[c][0]));
      }
      NoduleInserter.Result r;
      try {
        r = inserter.insert(v, diameters);
      } catch (IllegalArgumentException e) {
        LOG.info("no room for class {} nodules in {}: {}", c, v.seriesUid(), e.getMessage());
        continue;
      }
      List<Nodule> all = new ArrayList<>(real);
      all.addAll(r.nodules());
      NoduleClass[] labels = SliceLabels.label(r.volume(), all, marginMm);
      double[] diam = SliceLabels.diameters(r.volume(), all);
      double[] insertedOnly = SliceLabels.diameters(r.volume(), r.nodules());
      for (int k = 0; k < v.depth(); k++) {
        if (insertedOnly[k] > 0 && labels[k] != null) {
          out.add(csv, r.volume(), k, labels[k], diam[k], "inserted", input);
        }
      }
    }
  }

  private static boolean hasLungs(CtVolume v, int k) {
    LungMask m = ThresholdLungMask.DEFAULT.segment(v.slice(k));
    return m.area() >= 0.02 * v.width() * v.height();
  }

  /** The last multi-slice patient (sorted) and every fifth single-slice patient. */
  static Set<String> defaultTestPatients(List<Source> sources) {
    TreeSet<String> multi = new TreeSet<>();
    TreeSet<String> single = new TreeSet<>();
    for (Source s : sources) {
      (s.volume().depth() > 1 ? multi : single).add(s.volume().patientId());
    }
    single.removeAll(multi);
    Set<String> test = new TreeSet<>();
    if (multi.size() > 1) {
      test.add(multi.last());
    }
    int i = 0;
    for (String p : single) {
      if (i++ % 5 == 4) {
        test.add(p);
      }
    }
    return test;
  }

  /** The three writers of one split. */
  private static final class Split implements AutoCloseable {
    final String name;
    final NpyWriter images;
    final NpyWriter masks;
    final NpyWriter labels;
    final Map<NoduleClass, Integer> perClass = new EnumMap<>(NoduleClass.class);
    int count;

    Split(Path dir, String name, int size) throws IOException {
      this.name = name;
      images = new NpyWriter(dir.resolve(name + "_images.npy"), NpyWriter.DType.FLOAT32, 1,
          size, size);
      masks = new NpyWriter(dir.resolve(name + "_masks.npy"), NpyWriter.DType.UINT8, 1, size,
          size);
      labels = new NpyWriter(dir.resolve(name + "_labels.npy"), NpyWriter.DType.INT64);
    }

    void add(BufferedWriter csv, CtVolume v, int k, NoduleClass label, double diameter,
        String source, ModelInput input) throws IOException {
      CtSlice slice = input.prepare(v.slice(k));
      LungMask mask = ThresholdLungMask.DEFAULT.segment(slice);
      images.write(slice.hu());
      boolean[] m = mask.toArray();
      byte[] mb = new byte[m.length];
      for (int i = 0; i < m.length; i++) {
        mb[i] = (byte) (m[i] ? 1 : 0);
      }
      masks.write(mb);
      labels.write((long) label.label());
      csv.write(String.format(Locale.ROOT, "%s,%d,%s,%s,%d,%.3f,%d,%.2f,%s%n", name, count,
          v.patientId(), v.seriesUid(), k, v.zMm(k), label.label(), diameter, source));
      perClass.merge(label, 1, Integer::sum);
      count++;
    }

    @Override
    public void close() throws IOException {
      try (images; masks; labels) {
        // closes all three, patching their record counts
      }
    }
  }
}
