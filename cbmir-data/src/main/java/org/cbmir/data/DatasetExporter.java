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
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.IdentifierPolicy;
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
 * <p>Per split ({@code train}, {@code test}): {@code <split>_images.npy} float32 {@code [N,1,S,S]}
 * in HU, {@code <split>_masks.npy} uint8 {@code [N,1,S,S]} (the threshold lung mask, the U-Net's
 * label), {@code <split>_labels.npy} int64 {@code [N]} (the paper's classes). {@code
 * provenance.csv} has one row per record: split, index, patient, series UID, slice index, z, class,
 * nodule diameter, source ({@code real}, {@code transplanted}, {@code inserted} or {@code
 * phantom}), nodule column and row on the model grid (-1 where none), nodule id.
 *
 * <p>Every real slice with a label is exported (slices near a nodule but outside it are excluded,
 * see {@link SliceLabels}), split by the {@link PatientSplit}. With {@linkplain Builder#crops real
 * nodule crops}, those of training patients become patch records ({@code train_patches.npy}) for
 * on-the-fly transplants and one transplanted slice per nodule in the training split, and those of
 * test patients one transplanted query slice per nodule in the test split ({@link
 * NoduleTransplanter}); {@code provenance.csv} then also holds the nodule's position on the model
 * grid and which nodule it is. Optionally ({@code insertedPerClass > 0}) synthetic spheres are
 * inserted per class, four per copy of a volume (see {@link NoduleInserter}).
 *
 * <p>Thread-safety: the builder is not thread-safe; an exporter is used by one thread.
 */
public final class DatasetExporter {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetExporter.class);

  /** Diameter ranges drawn for inserted nodules, per class label (mm). */
  private static final double[][] RANGES = {
    {0, 0},
    {3.0, 5.0},
    {5.05, 6.0},
    {6.05, 8.0},
    {8.05, 13.0},
    {13.05, 18.0},
    {18.05, 23.0},
    {23.05, 30.0}
  };

  /** One volume with its nodules and its kind ("real" or "phantom"). Thread-safety: immutable. */
  public record Source(CtVolume volume, List<Nodule> nodules, String kind) {}

  /** What was written. Thread-safety: immutable once returned. */
  public record Summary(
      Map<String, Integer> recordsPerSplit,
      Map<String, Map<NoduleClass, Integer>> perClass,
      Set<String> trainPatients,
      Set<String> testPatients) {}

  private final ModelInput input;
  private final int insertedPerClass;
  private final long seed;
  private final PatientSplit split;
  private final double marginMm;
  private final List<NoduleCrops.Crop> crops;
  private final IdentifierPolicy ids;

  private DatasetExporter(Builder b) {
    this.input = b.input;
    this.insertedPerClass = b.insertedPerClass;
    this.seed = b.seed;
    this.split = b.split;
    this.marginMm = b.marginMm;
    this.crops = List.copyOf(b.crops);
    this.ids = b.ids;
  }

  /**
   * A builder with the defaults: {@link ModelInput#DEFAULT}, the shipped {@link PatientSplit}, no
   * inserted spheres, no crops, seed 1.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link DatasetExporter}. Not thread-safe. */
  public static final class Builder {
    private ModelInput input = ModelInput.DEFAULT;
    private int insertedPerClass = 0;
    private long seed = 1;
    private PatientSplit split = PatientSplit.shipped();
    private List<NoduleCrops.Crop> crops = List.of();
    private double marginMm = SliceLabels.DEFAULT_MARGIN_MM;
    private IdentifierPolicy ids = IdentifierPolicy.keepAsIs();

    private Builder() {}

    /**
     * What the exported {@code provenance.csv} and {@code train_patches.csv} hold for patient IDs
     * and series UIDs (default: as read); the split is decided on the identifiers as read.
     */
    public Builder identifiers(IdentifierPolicy policy) {
      this.ids = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The models' pixel grid (default 256 px at 1.25 mm). */
    public Builder modelInput(ModelInput input) {
      this.input = input;
      return this;
    }

    /** Synthetic spheres per class per real volume (default 0, none: real crops teach better). */
    public Builder insertedPerClass(int n) {
      this.insertedPerClass = n;
      return this;
    }

    /** Seed of the insertion and of nothing else (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The patient split (default {@link PatientSplit#shipped()}). */
    public Builder split(PatientSplit split) {
      this.split = Objects.requireNonNull(split, "split");
      return this;
    }

    /** Holds out exactly these patients; everyone else trains. */
    public Builder testPatients(Set<String> patients) {
      return split(PatientSplit.withTestPatients(patients));
    }

    /**
     * Real nodule crops (see {@link NoduleCrops}) to transplant: those of training patients become
     * patches for training and one transplanted slice per nodule in the training split; those of
     * test patients one transplanted query slice per nodule in the test split.
     */
    public Builder crops(List<NoduleCrops.Crop> crops) {
      this.crops = List.copyOf(crops);
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
        throw new IllegalArgumentException(
            "insertedPerClass and margin must be >= 0, got "
                + insertedPerClass
                + " and "
                + marginMm);
      }
      return new DatasetExporter(this);
    }
  }

  /**
   * Finds every CT volume under {@code root} (DICOM series and MetaImage files) with its nodules:
   * LIDC XML reads beside a series when present, else LUNA16 {@code annotations.csv} rows; each
   * annotated volume is labelled slice by slice ({@link Annotations#label}).
   */
  public static List<Source> discover(Path root, ReadListener listener) throws IOException {
    List<CtVolume> volumes =
        new ArrayList<>(new DicomSeriesReader().readUnlabelled(root, listener));
    volumes.addAll(new MetaImage().readUnlabelled(root, listener));
    return Annotations.attach(root, volumes, listener);
  }

  /**
   * Exports everything under a data folder with this exporter's settings: the CT volumes {@link
   * #discover} finds and, where the folder has {@value NoduleCrops#FOLDER}, its crops (unless the
   * builder was given crops).
   */
  public Summary exportFolder(Path data, Path outDir, ReadListener listener) throws IOException {
    List<Source> sources = discover(data, listener);
    Path cropFolder = NoduleCrops.find(data);
    if (crops.isEmpty() && cropFolder != null) {
      return toBuilder().crops(NoduleCrops.read(cropFolder)).build().export(sources, outDir);
    }
    return export(sources, outDir);
  }

  private Builder toBuilder() {
    Builder b = new Builder();
    b.input = input;
    b.insertedPerClass = insertedPerClass;
    b.seed = seed;
    b.split = split;
    b.marginMm = marginMm;
    b.crops = crops;
    b.ids = ids;
    return b;
  }

  /** Side of the square patch records ({@code train_patches.npy}), in model pixels. */
  public static final int PATCH_SIZE = 57;

  /** Exports the sources (and the builder's crops) to {@code outDir} (created if missing). */
  public Summary export(List<Source> sources, Path outDir) throws IOException {
    Files.createDirectories(outDir);
    Set<String> trainPatients = new TreeSet<>();
    Set<String> testSeen = new TreeSet<>();
    Random rnd = new Random(seed);
    NoduleInserter inserter = new NoduleInserter(seed);
    int s = input.size();
    Map<String, Split> splits = new HashMap<>();
    int noRoom = 0;
    Map<String, List<Background>> backgrounds = new HashMap<>();
    try (BufferedWriter csv =
        Files.newBufferedWriter(outDir.resolve("provenance.csv"), StandardCharsets.UTF_8)) {
      csv.write(
          "split,index,patient,series_uid,slice_index,z_mm,class,diameter_mm,source,"
              + "nodule_col,nodule_row,nodule\n");
      for (String name : List.of("train", "test")) {
        splits.put(name, new Split(outDir, name, s, input, ids));
        backgrounds.put(name, new ArrayList<>());
      }
      try {
        for (Source src : sources) {
          CtVolume v = src.volume();
          String part = partOf(v.patientId());
          (part.equals("test") ? testSeen : trainPatients).add(v.patientId());
          Split out = splits.get(part);
          NoduleClass[] labels = SliceLabels.label(v, src.nodules(), marginMm);
          double[] diam = SliceLabels.diameters(v, src.nodules());
          for (int k = 0; k < v.depth(); k++) {
            if (labels[k] != null && hasLungs(v, k)) {
              CtSlice slice = v.slice(k);
              Nodule n = SliceLabels.covering(v, k, src.nodules());
              double[] at = n == null ? null : input.toModelPixel(slice, n.column(v), n.row(v));
              out.add(
                  csv,
                  slice,
                  v,
                  k,
                  labels[k],
                  diam[k],
                  src.kind(),
                  at,
                  n == null ? "" : ids.seriesUid(v.seriesUid()) + "#" + src.nodules().indexOf(n));
              if (labels[k] == NoduleClass.NONE && src.kind().equals("real")) {
                backgrounds.get(part).add(new Background(v, k));
              }
            }
          }
          if (insertedPerClass == 0 || !src.kind().equals("real")) {
            continue;
          }
          for (int c = 1; c < NoduleClass.COUNT; c++) {
            noRoom += insertClass(v, src.nodules(), c, inserter, rnd, out, csv);
          }
        }
        if (noRoom > 0) {
          LOG.info(
              "{} groups of synthetic nodules found no room in their series and were left"
                  + " out (DEBUG lists them)",
              noRoom);
        }
        transplant(splits, backgrounds, outDir, csv);
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

  /** A nodule-free slice that can receive a transplanted nodule. */
  private record Background(CtVolume volume, int k) {}

  /** The name of a patient's split part, as the files are named. */
  private String partOf(String patientId) {
    return split.isTest(patientId) ? "test" : "train";
  }

  /**
   * Crops of training patients: every crop becomes a patch record for training ({@code
   * train_patches.npy}, {@code [M, 2, P, P]}: HU and blending weight at the model's spacing, with
   * {@code train_patches.csv}), and one crop per nodule is transplanted into a random nodule-free
   * training slice (source {@code transplanted}). Crops of test patients: one per nodule
   * transplanted into a random nodule-free test slice (the real-nodule queries).
   */
  private void transplant(
      Map<String, Split> splits,
      Map<String, List<Background>> backgrounds,
      Path outDir,
      BufferedWriter csv)
      throws IOException {
    if (crops.isEmpty()) {
      return;
    }
    NoduleTransplanter t = new NoduleTransplanter(seed);
    int p = PATCH_SIZE;
    try (NpyWriter patches =
            new NpyWriter(outDir.resolve("train_patches.npy"), NpyWriter.DType.FLOAT32, 2, p, p);
        BufferedWriter pcsv =
            Files.newBufferedWriter(outDir.resolve("train_patches.csv"), StandardCharsets.UTF_8)) {
      pcsv.write("index,crop_index,patient,nodule_id,diameter_mm,class\n");
      int written = 0;
      for (NoduleCrops.Crop c : crops) {
        if (split.isTest(c.patientId())) {
          continue;
        }
        patches.write(t.patch(c, input.spacingMm(), false).centredIn(p));
        pcsv.write(
            String.format(
                Locale.ROOT,
                "%d,%d,%s,%s,%.2f,%d%n",
                written++,
                c.index(),
                ids.patientId(c.patientId()),
                c.noduleId(),
                c.diameterMm(),
                c.noduleClass().label()));
      }
    }
    Random rnd = new Random(seed + 1);
    // A background receives about eight placement tries over the export: segment it once.
    Map<Background, LungMask> lungs = new HashMap<>();
    int unplaced = 0;
    for (NoduleCrops.Crop c : NoduleCrops.perNodule(crops)) {
      String part = partOf(c.patientId());
      List<Background> bg = backgrounds.get(part);
      if (bg.isEmpty()) {
        unplaced++;
        continue;
      }
      boolean placed = false;
      for (int attempt = 0; attempt < 8 && !placed; attempt++) {
        Background b = bg.get(rnd.nextInt(bg.size()));
        CtSlice slice = b.volume().slice(b.k());
        NoduleTransplanter.Patch patch = t.patch(c, slice.rowSpacingMm(), false);
        int[] at =
            t.place(
                lungs.computeIfAbsent(b, x -> ThresholdLungMask.DEFAULT.segment(slice)),
                patch,
                200);
        if (at == null) {
          continue;
        }
        CtSlice with = NoduleTransplanter.paste(slice, patch, at[0], at[1]);
        splits
            .get(part)
            .add(
                csv,
                with,
                b.volume(),
                b.k(),
                c.noduleClass(),
                c.diameterMm(),
                "transplanted",
                input.toModelPixel(slice, at[0], at[1]),
                "crop:" + ids.patientId(c.patientId()) + ":" + c.noduleId());
        placed = true;
      }
      unplaced += placed ? 0 : 1;
    }
    if (unplaced > 0) {
      LOG.info(
          "{} of the nodule crops found no room in a nodule-free slice of their split", unplaced);
    }
  }

  /** Nodules inserted into one copy of a volume: few enough that they always find room. */
  private static final int PER_COPY = 4;

  /** Inserts spheres of class {@code c}; returns how many groups found no room. */
  private int insertClass(
      CtVolume v,
      List<Nodule> real,
      int c,
      NoduleInserter inserter,
      Random rnd,
      Split out,
      BufferedWriter csv)
      throws IOException {
    int noRoom = 0;
    if (v.depth() == 1 && !hasLungs(v, 0)) {
      return noRoom;
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
        LOG.debug("no room for class {} nodules in {}: {}", c, v.seriesUid(), e.getMessage());
        noRoom++;
        continue;
      }
      List<Nodule> all = new ArrayList<>(real);
      all.addAll(r.nodules());
      NoduleClass[] labels = SliceLabels.label(r.volume(), all, marginMm);
      double[] diam = SliceLabels.diameters(r.volume(), all);
      double[] insertedOnly = SliceLabels.diameters(r.volume(), r.nodules());
      for (int k = 0; k < v.depth(); k++) {
        if (insertedOnly[k] > 0 && labels[k] != null) {
          out.add(
              csv, r.volume().slice(k), r.volume(), k, labels[k], diam[k], "inserted", null, "");
        }
      }
    }
    return noRoom;
  }

  private static boolean hasLungs(CtVolume v, int k) {
    LungMask m = ThresholdLungMask.DEFAULT.segment(v.slice(k));
    return m.area() >= 0.02 * v.width() * v.height();
  }

  /** The three writers of one split. */
  private static final class Split implements AutoCloseable {
    private final IdentifierPolicy ids;
    final String name;
    final NpyWriter images;
    final NpyWriter masks;
    final NpyWriter labels;
    final Map<NoduleClass, Integer> perClass = new EnumMap<>(NoduleClass.class);
    int count;

    final ModelInput input;

    Split(Path dir, String name, int size, ModelInput input, IdentifierPolicy ids)
        throws IOException {
      this.ids = ids;
      this.name = name;
      this.input = input;
      images =
          new NpyWriter(dir.resolve(name + "_images.npy"), NpyWriter.DType.FLOAT32, 1, size, size);
      masks = new NpyWriter(dir.resolve(name + "_masks.npy"), NpyWriter.DType.UINT8, 1, size, size);
      labels = new NpyWriter(dir.resolve(name + "_labels.npy"), NpyWriter.DType.INT64);
    }

    void add(
        BufferedWriter csv,
        CtSlice original,
        CtVolume v,
        int k,
        NoduleClass label,
        double diameter,
        String source,
        double[] noduleAt,
        String nodule)
        throws IOException {
      CtSlice slice = input.prepare(original);
      LungMask mask = ThresholdLungMask.DEFAULT.segment(slice);
      images.write(slice.hu());
      boolean[] m = mask.toArray();
      byte[] mb = new byte[m.length];
      for (int i = 0; i < m.length; i++) {
        mb[i] = (byte) (m[i] ? 1 : 0);
      }
      masks.write(mb);
      labels.write((long) label.label());
      csv.write(
          String.format(
              Locale.ROOT,
              "%s,%d,%s,%s,%d,%.3f,%d,%.2f,%s,%.1f,%.1f,%s%n",
              name,
              count,
              ids.patientId(v.patientId()),
              ids.seriesUid(v.seriesUid()),
              k,
              v.zMm(k),
              label.label(),
              diameter,
              source,
              noduleAt == null ? -1.0 : noduleAt[0],
              noduleAt == null ? -1.0 : noduleAt[1],
              nodule));
      perClass.merge(label, 1, Integer::sum);
      count++;
    }

    @Override
    public void close() throws IOException {
      try (images;
          masks;
          labels) {
        // closes all three, patching their record counts
      }
    }
  }
}
