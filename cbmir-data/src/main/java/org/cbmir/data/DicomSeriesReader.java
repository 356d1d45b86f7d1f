package org.cbmir.data;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import ij.io.FileInfo;
import ij.measure.Calibration;
import ij.plugin.DICOM;
import ij.process.ImageProcessor;
import ij.util.DicomTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.cbmir.api.CtVolume;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.VolumeReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads CT series from a DICOM folder tree (for example TCIA's {@code PATIENT/STUDY/SERIES/*.dcm}
 * layout): files are grouped by SeriesInstanceUID, non-CT series are skipped, slices are sorted by
 * ImagePositionPatient along the slice normal (file names are not in slice order), and pixels are
 * converted to HU with RescaleSlope and RescaleIntercept (plausible ranges: slope magnitude {@value
 * #MIN_SLOPE}..{@value #MAX_SLOPE}, intercept within +-{@value #MAX_INTERCEPT}, pixel spacing
 * {@value #MIN_SPACING_MM}..{@value #MAX_SPACING_MM} mm; a file outside them is reported and
 * skipped). Values below -1024 HU (scanner padding such as -2048 outside the scan circle) become
 * -1024, air.
 *
 * <p>Pixel decoding uses ImageJ ({@code net.imagej:ij}), the maintained DICOM decoder on Maven
 * Central; it reads uncompressed transfer syntaxes. A file that cannot be read is reported to the
 * {@link ReadListener} and skipped; the rest of the folder is read.
 *
 * <pre>{@code
 * List<CtVolume> series = new DicomSeriesReader().read(Path.of("LIDC-IDRI"), listener);
 * }</pre>
 *
 * <p>Thread-safety: thread-safe; each call works on its own data.
 */
public final class DicomSeriesReader implements VolumeReader {
  /** Pixel spacings outside this range (mm) are not a CT slice: reported, not read. */
  static final double MIN_SPACING_MM = 0.01;

  static final double MAX_SPACING_MM = 10;

  /** Rescale slopes outside this magnitude range give HU no scanner produces. */
  static final double MIN_SLOPE = 1e-4;

  static final double MAX_SLOPE = 100;

  /** Largest intercept magnitude accepted (HU). */
  static final double MAX_INTERCEPT = 1e5;

  private static final Logger LOG = LoggerFactory.getLogger(DicomSeriesReader.class);

  /** Relative spread of slice gaps tolerated before a series is called inconsistent. */
  private static final double SPACING_TOLERANCE = 0.1;

  /** HU of air; lower values are padding or out-of-field marks. */
  static final float AIR_HU = -1024f;

  static {
    // ImageJ must never open a dialog inside a library.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** Creates a reader; also called by {@link java.util.ServiceLoader}. */
  public DicomSeriesReader() {}

  @Override
  public String name() {
    return "dicom";
  }

  @Override
  public boolean canRead(Path path) {
    if (Files.isRegularFile(path)) {
      return DicomFileMeta.hasMarker(path);
    }
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Stream<Path> s = Files.walk(path)) {
      return s.filter(Files::isRegularFile).limit(10_000).anyMatch(DicomSeriesReader::looksDicom);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static boolean looksDicom(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".dcm")
        || n.endsWith(".dicom")
        || (!n.contains(".") && DicomFileMeta.hasMarker(p));
  }

  /**
   * Reads every CT volume under {@code path}; files that cannot be read are reported to the
   * listener and skipped. Volumes come labelled slice by slice where LIDC XML or LUNA16 annotations
   * lie beside them ({@link Annotations}).
   */
  @Override
  public List<CtVolume> read(Path path, ReadListener listener) throws IOException {
    return Annotations.attach(path, readUnlabelled(path, listener), listener).stream()
        .map(DatasetExporter.Source::volume)
        .toList();
  }

  /** The volumes without looking for annotations. */
  List<CtVolume> readUnlabelled(Path path, ReadListener listener) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "no such file or folder");
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(path)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    List<CtVolume> volumes = readFiles(files, listener);
    if (volumes.isEmpty() && files.isEmpty()) {
      throw new UnreadableInputException(path, "folder is empty");
    }
    return volumes;
  }

  /**
   * The volumes that these files (sorted) hold, without looking for annotations; folders among them
   * with an annotation but no image are reported.
   */
  List<CtVolume> readFiles(List<Path> files, ReadListener listener) {
    List<Path> candidates = new ArrayList<>();
    Map<Path, List<Path>> otherByFolder = new LinkedHashMap<>();
    for (Path f : files) {
      if (looksDicom(f) || DicomFileMeta.hasMarker(f)) {
        candidates.add(f);
      } else {
        otherByFolder.computeIfAbsent(f.getParent(), k -> new ArrayList<>()).add(f);
      }
    }
    // A folder with annotations but no image (e.g. a radiograph study's XML without its images);
    // folders holding only notes or tables (README, annotations.csv) are not worth a report.
    for (var e : otherByFolder.entrySet()) {
      boolean hasImages = candidates.stream().anyMatch(c -> e.getKey().equals(c.getParent()));
      boolean hasXml =
          e.getValue().stream()
              .anyMatch(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml"));
      if (!hasImages && hasXml) {
        listener.skipped(e.getKey(), noImages(e.getKey(), e.getValue()));
      }
    }
    Map<String, List<DicomSlice>> bySeries = new LinkedHashMap<>();
    int done = 0;
    for (Path f : candidates) {
      try {
        DicomSlice s = DicomSlice.read(f);
        bySeries.computeIfAbsent(s.seriesUid(), k -> new ArrayList<>()).add(s);
      } catch (UnreadableInputException e) {
        // The listener hears of every skip; a log line at WARN as well would say it twice.
        LOG.debug("skipping {}", e.getMessage());
        listener.skipped(f, e);
      }
      listener.progress(++done, candidates.size());
    }
    List<CtVolume> volumes = new ArrayList<>();
    for (List<DicomSlice> series : bySeries.values()) {
      try {
        volumes.add(assemble(series, listener));
      } catch (UnreadableInputException e) {
        LOG.debug("skipping series: {}", e.getMessage());
        listener.skipped(e.file(), e);
      }
    }
    return volumes;
  }

  /** The report on a folder that holds annotations (these files) but no DICOM image. */
  static UnreadableInputException noImages(Path folder, List<Path> files) {
    return new UnreadableInputException(
        folder,
        "folder holds no DICOM images, only "
            + files.stream().map(p -> p.getFileName().toString()).toList());
  }

  /** Sorts, checks and stacks the slices of one series. */
  static CtVolume assemble(List<DicomSlice> slices, ReadListener listener)
      throws UnreadableInputException {
    DicomSlice first = slices.get(0);
    Path folder = first.file().getParent();
    if (!"CT".equals(first.modality())) {
      throw new UnreadableInputException(
          folder,
          "series "
              + first.seriesUid()
              + " has modality "
              + first.modality()
              + "; only CT is indexed");
    }
    double[] normal = first.normal();
    List<DicomSlice> kept = new ArrayList<>();
    for (DicomSlice s : slices) {
      String why = null;
      if (s.width() != first.width() || s.height() != first.height()) {
        why =
            "size "
                + s.width()
                + "x"
                + s.height()
                + " differs from the series' "
                + first.width()
                + "x"
                + first.height();
      } else if (Math.abs(s.rowSpacing() - first.rowSpacing()) > 1e-3
          || Math.abs(s.columnSpacing() - first.columnSpacing()) > 1e-3) {
        why = "pixel spacing differs from the rest of the series";
      } else if (!s.sameOrientation(first)) {
        why = "orientation differs from the rest of the series";
      }
      if (why != null) {
        listener.skipped(s.file(), new UnreadableInputException(s.file(), why));
      } else {
        kept.add(s);
      }
    }
    kept.sort(Comparator.comparingDouble(s -> s.position(normal)));
    List<DicomSlice> unique = new ArrayList<>();
    for (DicomSlice s : kept) {
      if (!unique.isEmpty()
          && Math.abs(s.position(normal) - unique.get(unique.size() - 1).position(normal)) < 1e-3) {
        listener.skipped(
            s.file(),
            new UnreadableInputException(
                s.file(),
                "duplicate slice position "
                    + s.position(normal)
                    + " mm in series "
                    + s.seriesUid()));
        continue;
      }
      unique.add(s);
    }
    int d = unique.size();
    double[] z = new double[d];
    for (int k = 0; k < d; k++) {
      z[k] = unique.get(k).position(normal);
    }
    if (d >= 3) {
      double min = Double.MAX_VALUE;
      double max = 0;
      for (int k = 1; k < d; k++) {
        double gap = z[k] - z[k - 1];
        min = Math.min(min, gap);
        max = Math.max(max, gap);
      }
      if (max > min * (1 + SPACING_TOLERANCE)) {
        throw new UnreadableInputException(
            folder,
            String.format(
                Locale.ROOT,
                "inconsistent slice spacing in series %s: gaps from %.3f to %.3f mm (missing slices?)",
                first.seriesUid(),
                min,
                max));
      }
    }
    int n = first.width() * first.height();
    float[] hu = new float[n * d];
    for (int k = 0; k < d; k++) {
      System.arraycopy(unique.get(k).hu(), 0, hu, k * n, n);
    }
    double[] o = unique.get(0).imagePosition();
    return CtVolume.builder()
        .size(first.width(), first.height())
        .hu(hu)
        .pixelSpacingMm(first.rowSpacing(), first.columnSpacing())
        .zPositionsMm(z)
        .originMm(o[0], o[1], o[2])
        .ids(first.patientId(), first.studyUid(), first.seriesUid())
        .build();
  }

  /** One decoded DICOM image with the tags the volume needs. */
  @SuppressWarnings("ArrayRecordComponent") // pixels and tags read once, never compared
  record DicomSlice(
      Path file,
      String patientId,
      String studyUid,
      String seriesUid,
      String modality,
      double[] imagePosition,
      double[] orientation,
      double rowSpacing,
      double columnSpacing,
      int width,
      int height,
      float[] hu) {

    // ImageJ keeps its options and error channel in static state: every reader in the JVM must
    // hold the same lock, ImageJ's own class, while it changes and restores them.
    @SuppressWarnings("LockOnNonEnclosingClassLiteral")
    static DicomSlice read(Path file) throws UnreadableInputException {
      DicomFileMeta.checkTransferSyntax(file);
      ImagePlus imp;
      synchronized (IJ.class) {
        // ImageJ's error channel and options are global: keep its messages out of dialogs, and
        // keep it from applying RescaleSlope itself (it does so by running GUI commands, which
        // fail headless); we apply the slope below. The user's settings are restored afterwards.
        IJ.redirectErrorMessages(true);
        boolean asFloat = Prefs.openDicomsAsFloat;
        boolean ignoreSlope = Prefs.ignoreRescaleSlope;
        Prefs.openDicomsAsFloat = false;
        Prefs.ignoreRescaleSlope = true;
        try {
          DICOM dicom = new DICOM();
          dicom.open(file.toString());
          imp = dicom;
        } catch (RuntimeException e) {
          throw new UnreadableInputException(file, "the DICOM decoder failed: " + e, e);
        } catch (OutOfMemoryError e) {
          // A corrupt Rows/Columns pair asks for one huge array; that allocation alone failed.
          throw new UnreadableInputException(file, "implausible image size (corrupt header?)");
        } finally {
          Prefs.openDicomsAsFloat = asFloat;
          Prefs.ignoreRescaleSlope = ignoreSlope;
          IJ.redirectErrorMessages(false);
        }
      }
      if (imp.getWidth() <= 0 || imp.getProcessor() == null) {
        throw new UnreadableInputException(
            file, "the DICOM decoder could not read the image (truncated or malformed pixel data)");
      }
      FileInfo fi = imp.getOriginalFileInfo();
      if (fi != null) {
        long need = (long) fi.offset + (long) fi.width * fi.height * fi.getBytesPerPixel();
        long have = fileSize(file);
        if (have < need) {
          // ImageJ reads what is there and leaves the rest black: never half-read a file.
          throw new UnreadableInputException(
              file,
              "truncated pixel data: the image needs " + need + " bytes, the file has " + have);
        }
      }
      if (imp.getStackSize() != 1) {
        throw new UnreadableInputException(
            file, "multi-frame images are not supported (" + imp.getStackSize() + " frames)");
      }
      String modality = tag(imp, "0008,0060", file, true).toUpperCase(Locale.ROOT);
      String patient = tag(imp, "0010,0020", file, true);
      String study = tag(imp, "0020,000D", file, false);
      String series = tag(imp, "0020,000E", file, true);
      double[] ipp = numbers(imp, "0020,0032", 3, file);
      double[] iop = numbers(imp, "0020,0037", 6, file);
      double[] spacing = numbers(imp, "0028,0030", 2, file);
      double intercept = 0;
      double slope = 1;
      if ("CT".equals(modality)) {
        // Mandatory in the CT Image module; without them HU cannot be trusted.
        intercept = numbers(imp, "0028,1052", 1, file)[0];
        slope = numbers(imp, "0028,1053", 1, file)[0];
        // Plausible ranges: a 16-bit stored value times the slope plus the intercept must be a
        // finite HU a scanner can produce, not 1e300.
        if (!(Math.abs(slope) >= MIN_SLOPE && Math.abs(slope) <= MAX_SLOPE)) {
          throw new UnreadableInputException(
              file,
              "Rescale Slope (0028,1053) must be within "
                  + MIN_SLOPE
                  + ".."
                  + MAX_SLOPE
                  + " in magnitude, got "
                  + slope);
        }
        if (!(Math.abs(intercept) <= MAX_INTERCEPT)) {
          throw new UnreadableInputException(
              file,
              "Rescale Intercept (0028,1052) must be within"
                  + " +-"
                  + MAX_INTERCEPT
                  + ", got "
                  + intercept);
        }
      }
      if (!(spacing[0] >= MIN_SPACING_MM
          && spacing[0] <= MAX_SPACING_MM
          && spacing[1] >= MIN_SPACING_MM
          && spacing[1] <= MAX_SPACING_MM)) {
        throw new UnreadableInputException(
            file,
            "PixelSpacing (0028,0030) must be within "
                + MIN_SPACING_MM
                + ".."
                + MAX_SPACING_MM
                + " mm, got "
                + spacing[0]
                + "\\"
                + spacing[1]);
      }
      ImageProcessor ip = imp.getProcessor();
      int w = ip.getWidth();
      int h = ip.getHeight();
      float[] hu = new float[w * h];
      // With the slope ignored, ImageJ 1.54's calibrated value is the stored value, plus the
      // intercept only when the slope is 1 (signed data is kept as unsigned + 32768 with a
      // calibration function that undoes it). DicomSeriesReaderTest pins this per combination.
      double added = slope == 1 ? intercept : 0;
      Calibration cal = imp.getCalibration();
      float[] table = cal.getCTable();
      if (ip.getBitDepth() == 16) {
        short[] raw = (short[]) ip.getPixels();
        for (int i = 0; i < hu.length; i++) {
          double stored = (table != null ? table[raw[i] & 0xffff] : raw[i] & 0xffff) - added;
          hu[i] = (float) Math.max(AIR_HU, stored * slope + intercept);
        }
      } else if (ip.getBitDepth() == 8 || ip.getBitDepth() == 32) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            double stored = ip.getPixelValue(x, y) - added;
            hu[y * w + x] = (float) Math.max(AIR_HU, stored * slope + intercept);
          }
        }
      } else {
        throw new UnreadableInputException(
            file, "unsupported " + ip.getBitDepth() + "-bit colour image; CT images are greyscale");
      }
      return new DicomSlice(
          file, patient, study, series, modality, ipp, iop, spacing[0], spacing[1], w, h, hu);
    }

    double[] normal() {
      double[] r = {orientation[0], orientation[1], orientation[2]};
      double[] c = {orientation[3], orientation[4], orientation[5]};
      return new double[] {
        r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]
      };
    }

    double position(double[] n) {
      return imagePosition[0] * n[0] + imagePosition[1] * n[1] + imagePosition[2] * n[2];
    }

    boolean sameOrientation(DicomSlice o) {
      for (int i = 0; i < 6; i++) {
        if (Math.abs(orientation[i] - o.orientation[i]) > 1e-3) {
          return false;
        }
      }
      return true;
    }

    private static long fileSize(Path file) throws UnreadableInputException {
      try {
        return Files.size(file);
      } catch (IOException e) {
        throw new UnreadableInputException(file, "cannot read: " + e.getMessage(), e);
      }
    }

    private static String tag(ImagePlus imp, String tag, Path file, boolean required)
        throws UnreadableInputException {
      String v = DicomTools.getTag(imp, tag);
      v = v == null ? "" : v.trim();
      if (v.isEmpty() && required) {
        throw new UnreadableInputException(
            file, "missing " + DICOM.getTagName(tag) + " (" + tag + ")");
      }
      return v;
    }

    private static double[] numbers(ImagePlus imp, String tag, int n, Path file)
        throws UnreadableInputException {
      String v = tag(imp, tag, file, true);
      String[] parts = v.split("\\\\", -1);
      if (parts.length != n) {
        throw new UnreadableInputException(
            file,
            DICOM.getTagName(tag) + " (" + tag + ") needs " + n + " numbers, got '" + v + "'");
      }
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        try {
          out[i] = Double.parseDouble(parts[i].trim());
        } catch (NumberFormatException e) {
          throw new UnreadableInputException(
              file, DICOM.getTagName(tag) + " (" + tag + ") is not numeric: '" + v + "'");
        }
        if (!Double.isFinite(out[i])) {
          throw new UnreadableInputException(
              file, DICOM.getTagName(tag) + " (" + tag + ") is not finite: '" + v + "'");
        }
      }
      return out;
    }
  }
}
