package org.cbmir.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cbmir.api.CtVolume;
import org.cbmir.api.UnreadableInputException;

/**
 * LUNA16's {@code annotations.csv}: {@code seriesuid,coordX,coordY,coordZ,diameter_mm}, world
 * coordinates in mm. World to voxel: column = (x - origin x) / column spacing, row = (y - origin y)
 * / row spacing, slice = nearest ImagePositionPatient z.
 *
 * <p>Thread-safety: stateless; all methods are thread-safe.
 */
public final class Luna16Annotations {
  private Luna16Annotations() {}

  /**
   * All rows of the file.
   *
   * @throws UnreadableInputException naming the line when a row is malformed
   */
  public static List<Nodule> read(Path csv) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw new UnreadableInputException(csv, "not UTF-8 text (" + e + ")", e);
    }
    if (lines.isEmpty()
        || !lines
            .get(0)
            .trim()
            .replace(" ", "")
            .startsWith("seriesuid,coordX,coordY,coordZ,diameter_mm")) {
      throw new UnreadableInputException(
          csv,
          "not a LUNA16 annotations file (expected header seriesuid,coordX,coordY,coordZ,"
              + "diameter_mm)");
    }
    List<Nodule> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String l = lines.get(i).trim();
      if (l.isEmpty()) {
        continue;
      }
      String[] f = l.split(",", -1);
      try {
        if (f.length != 5) {
          throw new IllegalArgumentException("expected 5 fields, got " + f.length);
        }
        out.add(
            Nodule.sphere(
                f[0].trim(),
                Double.parseDouble(f[1]),
                Double.parseDouble(f[2]),
                Double.parseDouble(f[3]),
                Double.parseDouble(f[4]),
                1,
                "luna16"));
      } catch (IllegalArgumentException e) {
        throw new UnreadableInputException(
            csv, "line " + (i + 1) + " '" + l + "': " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * The rows of one series, each checked to lie inside that series' volume.
   *
   * @throws UnreadableInputException naming the file and the row when a nodule lies outside
   */
  public static List<Nodule> forVolume(Path csv, CtVolume volume) throws IOException {
    List<Nodule> out = new ArrayList<>();
    for (Nodule n : read(csv)) {
      if (!n.seriesUid().equals(volume.seriesUid())) {
        continue;
      }
      if (!n.isInside(volume)) {
        throw new UnreadableInputException(
            csv,
            String.format(
                Locale.ROOT,
                "annotation (%.1f, %.1f, %.1f) mm lies outside series %s (column %.1f of %d, row %.1f"
                    + " of %d, z %.1f..%.1f mm)",
                n.xMm(),
                n.yMm(),
                n.zMm(),
                volume.seriesUid(),
                n.column(volume),
                volume.width(),
                n.row(volume),
                volume.height(),
                volume.zMm(0),
                volume.zMm(volume.depth() - 1)));
      }
      out.add(n);
    }
    return out;
  }
}
