package org.cbmir.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.UnreadableInputException;

/**
 * Reads a folder of real nodule crops: {@code crops_hu.npy} (int16 {@code [N, S, S]} HU, each
 * centred on a nodule's largest outlined slice, at the scan's own pixel spacing) and {@code
 * nodules.csv} (one row per crop: {@code index, noduleID, patient_id, series_uid, radiologist,
 * max_slice_sop_uid, z_mm, pixel_spacing_mm, equiv_diameter_mm, major_axis_mm, ...}), as in {@code
 * ../shared/data/lidc-nodule-crops/}.
 *
 * <p>One nodule is outlined by up to four radiologists, each outline giving a crop; {@link
 * #perNodule} keeps one crop per nodule slice (the reader with the median diameter), which is what
 * an evaluation should count.
 *
 * <pre>{@code
 * List<NoduleCrops.Crop> crops = NoduleCrops.read(Path.of("../shared/data/lidc-nodule-crops"));
 * }</pre>
 *
 * <p>Thread-safety: stateless; the crops returned are immutable.
 */
public final class NoduleCrops {
  /** The folder name looked for under a data root. */
  public static final String FOLDER = "lidc-nodule-crops";

  private NoduleCrops() {}

  /**
   * One crop. {@code hu} is {@code size * size} HU, row-major. Thread-safety: immutable by
   * convention: {@code hu()} returns the shared array, which no one may modify; read through {@link
   * #huAt}.
   */
  @SuppressWarnings(
      "ArrayRecordComponent") // pixels, never compared; copying them would double the memory
  public record Crop(
      int index,
      String noduleId,
      String patientId,
      String seriesUid,
      int reader,
      String sopUid,
      double zMm,
      double spacingMm,
      double diameterMm,
      double majorAxisMm,
      int size,
      short[] hu) {
    /** HU at column {@code x}, row {@code y}. */
    public float huAt(int x, int y) {
      return hu[y * size + x];
    }

    /** The paper's class of this crop's diameter. */
    public NoduleClass noduleClass() {
      return NoduleClass.ofDiameterMm(diameterMm);
    }

    @Override
    public String toString() {
      return "Crop["
          + index
          + " "
          + patientId
          + " nodule "
          + noduleId
          + ", "
          + String.format(Locale.ROOT, "%.1f", diameterMm)
          + " mm]";
    }
  }

  /** The crops folder under {@code root}, or null where there is none. */
  public static Path find(Path root) {
    Path p = root.resolve(FOLDER);
    return Files.isRegularFile(p.resolve("nodules.csv")) ? p : null;
  }

  /**
   * Reads all crops of a folder.
   *
   * @throws UnreadableInputException naming the file and line when the CSV and the array disagree
   *     or a row is malformed
   */
  public static List<Crop> read(Path folder) throws IOException {
    Path csv = folder.resolve("nodules.csv");
    Path npy = folder.resolve("crops_hu.npy");
    NpyReader arr = NpyReader.read(npy);
    long[] shape = arr.shape();
    if (shape.length != 3 || shape[1] != shape[2]) {
      throw new UnreadableInputException(
          npy, "expected shape [N, S, S], got " + Arrays.toString(shape));
    }
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new UnreadableInputException(csv, "empty file");
    }
    List<String> header = List.of(lines.get(0).trim().split(","));
    String[] need = {
      "index",
      "noduleID",
      "patient_id",
      "series_uid",
      "radiologist",
      "max_slice_sop_uid",
      "z_mm",
      "pixel_spacing_mm",
      "equiv_diameter_mm",
      "major_axis_mm"
    };
    int[] col = new int[need.length];
    for (int i = 0; i < need.length; i++) {
      col[i] = header.indexOf(need[i]);
      if (col[i] < 0) {
        throw new UnreadableInputException(
            csv, "column '" + need[i] + "' missing; header is " + header);
      }
    }
    int size = (int) shape[1];
    List<Crop> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String l = lines.get(i).trim();
      if (l.isEmpty()) {
        continue;
      }
      String[] f = l.split(",", -1);
      try {
        int index = Integer.parseInt(f[col[0]]);
        if (index < 0 || index >= shape[0]) {
          throw new IllegalArgumentException(
              "crop index " + index + " outside the array's " + shape[0] + " crops");
        }
        double spacing = Double.parseDouble(f[col[7]]);
        double diameter = Double.parseDouble(f[col[8]]);
        double major = Double.parseDouble(f[col[9]]);
        if (!(spacing > 0.1 && spacing < 5)
            || !(diameter > 0 && diameter < 200)
            || !(major > 0 && major < 300)) {
          throw new IllegalArgumentException(
              "implausible spacing "
                  + spacing
                  + " mm, diameter "
                  + diameter
                  + " mm or major axis "
                  + major
                  + " mm");
        }
        out.add(
            new Crop(
                index,
                f[col[1]],
                f[col[2]],
                f[col[3]],
                Integer.parseInt(f[col[4]]),
                f[col[5]],
                Double.parseDouble(f[col[6]]),
                spacing,
                diameter,
                major,
                size,
                arr.shorts(index)));
      } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
        throw new UnreadableInputException(csv, "line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  /**
   * One crop per nodule slice: crops of the same patient and slice ({@code sopUid}) are the same
   * nodule outlined by different readers; the one with the median diameter is kept.
   */
  public static List<Crop> perNodule(List<Crop> crops) {
    Map<String, List<Crop>> groups = new LinkedHashMap<>();
    for (Crop c : crops) {
      groups.computeIfAbsent(c.patientId() + "/" + c.sopUid(), k -> new ArrayList<>()).add(c);
    }
    List<Crop> out = new ArrayList<>();
    for (List<Crop> g : groups.values()) {
      List<Crop> sorted = new ArrayList<>(g);
      sorted.sort(
          (a, b) ->
              a.diameterMm() != b.diameterMm()
                  ? Double.compare(a.diameterMm(), b.diameterMm())
                  : Integer.compare(a.index(), b.index()));
      out.add(sorted.get((sorted.size() - 1) / 2));
    }
    return out;
  }
}
