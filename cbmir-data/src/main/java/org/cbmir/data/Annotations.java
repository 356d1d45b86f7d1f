package org.cbmir.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.cbmir.api.CbmirException;
import org.cbmir.api.CtVolume;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.VolumeReader.ReadListener;

/**
 * Nodule annotations found beside CT volumes, and the per-slice labels they give: LIDC XML reads in
 * a series' folder tree (matched by series UID), else LUNA16 {@code annotations.csv} rows. The
 * readers registered for {@link java.util.ServiceLoader} return volumes labelled this way, so that
 * an index built by {@code SimilarCaseSearch.ingest} can say of every hit what it shows.
 *
 * <p>An annotation whose centre lies outside its volume (wrong geometry, another reconstruction) is
 * reported to the listener as skipped, naming the file, and its volume is left unlabelled: one
 * misplaced nodule would otherwise turn the slices around its true position into "no nodule".
 *
 * <p>Thread-safety: stateless; all methods are thread-safe.
 */
public final class Annotations {
  private Annotations() {}

  /**
   * The volume labelled from its nodules by the paper's rule ({@link SliceLabels}): each slice gets
   * the class and diameter of the largest nodule covering it, {@link NoduleClass#NONE} far from
   * every nodule, and {@link NoduleClass#UNKNOWN} (diameter NaN) within {@link
   * SliceLabels#DEFAULT_MARGIN_MM} of a nodule without covering it.
   */
  public static CtVolume label(CtVolume volume, List<Nodule> nodules) {
    NoduleClass[] classes = SliceLabels.label(volume, nodules, SliceLabels.DEFAULT_MARGIN_MM);
    double[] diameters = SliceLabels.diameters(volume, nodules);
    for (int k = 0; k < classes.length; k++) {
      if (classes[k] == null) {
        classes[k] = NoduleClass.UNKNOWN;
        diameters[k] = Double.NaN;
      }
    }
    return volume.withSliceLabels(classes, diameters);
  }

  /**
   * Each volume with the annotations found under {@code root} (or beside it, when {@code root} is a
   * file): labelled where an LIDC XML of its series or LUNA16 rows for it exist, unlabelled
   * otherwise. Unreadable annotation files and misplaced nodules are reported and skipped.
   */
  static List<DatasetExporter.Source> attach(
      Path root, List<CtVolume> volumes, ReadListener listener) throws IOException {
    if (volumes.isEmpty()) {
      return List.of();
    }
    return attach(annotationFiles(root), volumes, listener);
  }

  /**
   * Each volume labelled from these annotation files (LIDC XML, LUNA16 {@code annotations.csv}) as
   * {@link #attach(Path, List, ReadListener)} does.
   */
  static List<DatasetExporter.Source> attach(
      List<Path> annotationFiles, List<CtVolume> volumes, ReadListener listener) {
    if (volumes.isEmpty()) {
      return List.of();
    }
    Map<String, Path> xmlBySeries = new HashMap<>();
    Map<String, List<Nodule>> luna = new HashMap<>();
    Map<String, Path> lunaFile = new HashMap<>();
    for (Path p : annotationFiles) {
      String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
      try {
        if (name.endsWith(".xml")) {
          String uid = LidcAnnotations.seriesUid(p);
          if (!uid.isEmpty()) {
            xmlBySeries.put(uid, p);
          }
        } else {
          for (Nodule n : Luna16Annotations.read(p)) {
            luna.computeIfAbsent(n.seriesUid(), k -> new ArrayList<>()).add(n);
            lunaFile.put(n.seriesUid(), p);
          }
        }
      } catch (IOException e) {
        listener.skipped(
            p,
            e instanceof CbmirException c ? c : new UnreadableInputException(p, e.getMessage(), e));
      }
    }
    List<DatasetExporter.Source> out = new ArrayList<>();
    for (CtVolume v : volumes) {
      List<Nodule> nodules = null;
      Path from = xmlBySeries.get(v.seriesUid());
      if (from != null) {
        try {
          nodules = LidcAnnotations.nodules(from, v);
        } catch (IOException e) {
          listener.skipped(
              from,
              e instanceof CbmirException c
                  ? c
                  : new UnreadableInputException(from, e.getMessage(), e));
        }
      } else if (luna.containsKey(v.seriesUid())) {
        from = lunaFile.get(v.seriesUid());
        nodules = luna.get(v.seriesUid());
      }
      Nodule outside =
          nodules == null
              ? null
              : nodules.stream().filter(n -> !n.isInside(v)).findFirst().orElse(null);
      if (outside != null) {
        listener.skipped(
            from,
            new UnreadableInputException(
                from,
                String.format(
                    Locale.ROOT,
                    "nodule at (%.1f, %.1f, %.1f) mm lies outside series %s (column %.1f of %d, row %.1f"
                        + " of %d, z %.1f..%.1f mm); the series is indexed without labels",
                    outside.xMm(),
                    outside.yMm(),
                    outside.zMm(),
                    v.seriesUid(),
                    outside.column(v),
                    v.width(),
                    outside.row(v),
                    v.height(),
                    v.zMm(0),
                    v.zMm(v.depth() - 1))));
        nodules = null;
      }
      out.add(
          nodules == null
              ? new DatasetExporter.Source(v, List.of(), "real")
              : new DatasetExporter.Source(label(v, nodules), List.copyOf(nodules), "real"));
    }
    return out;
  }

  /** LIDC XML and LUNA16 {@code annotations.csv} files under a folder, or beside a file. */
  static List<Path> annotationFiles(Path root) throws IOException {
    Path folder = Files.isDirectory(root) ? root : root.toAbsolutePath().getParent();
    if (folder == null) {
      return List.of();
    }
    try (Stream<Path> s = Files.isDirectory(root) ? Files.walk(folder) : Files.list(folder)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".xml") || n.equals("annotations.csv");
              })
          .sorted()
          .toList();
    }
  }
}
