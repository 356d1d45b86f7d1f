package org.cbmir.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.cbmir.api.CtVolume;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.VolumeReader.ReadListener;

/**
 * An archive cut into units that can be read independently of each other, for distributing the
 * reading over many machines ({@code cbmir-spark}): every folder that directly holds DICOM files
 * (one series, as TCIA and PACS exports lay them out) and every MetaImage header. Listing walks the
 * tree once and opens no image; {@link #read} then reads one unit with the same readers and labels
 * as {@link DicomSeriesReader} and {@link MetaImage} use on a whole tree.
 *
 * <pre>{@code
 * for (ArchiveUnits.Unit unit : ArchiveUnits.list(Path.of("/archive/LIDC-IDRI"), listener)) {
 *   List<CtVolume> volumes = ArchiveUnits.read(unit, listener); // on any machine that sees the path
 * }
 * }</pre>
 *
 * <p>Annotations follow each unit: the LIDC XML files in a DICOM unit's own folder (where TCIA puts
 * them) and every LUNA16 {@code annotations.csv} under the listed root. Reading the tree whole also
 * matches an XML lying in another folder to its series by UID; reading it by units does not. A
 * series split over two folders becomes two units, and so two volumes with one series UID.
 *
 * <p>Thread-safety: stateless; all methods are thread-safe.
 */
public final class ArchiveUnits {
  private ArchiveUnits() {}

  /** What a unit is, and so which reader reads it. Thread-safety: immutable. */
  public enum Kind {
    /**
     * A folder whose DICOM files (not those of its subfolders) are read together, or one DICOM
     * file.
     */
    DICOM_FOLDER,
    /** One MetaImage header ({@code .mhd}) and the data file it names. */
    METAIMAGE
  }

  /**
   * One independently readable part of an archive. Thread-safety: immutable.
   *
   * @param path the folder or header file
   * @param kind how to read it
   * @param annotationFiles LIDC XML and LUNA16 CSV files whose nodules may lie in it, sorted
   */
  public record Unit(Path path, Kind kind, List<Path> annotationFiles) {
    /** Checks and copies. */
    public Unit {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(kind, "kind (valid: " + List.of(Kind.values()) + ")");
      annotationFiles = List.copyOf(annotationFiles);
    }
  }

  /**
   * The units under {@code root} (a folder, or one DICOM or MetaImage file), sorted by path.
   * Folders that hold an annotation but no image (such as a radiograph study's XML whose images
   * were not exported) are reported to the listener, as the readers report them.
   *
   * @throws NoSuchFileException if the root does not exist
   * @throws UnreadableInputException if nothing under the root is a CT image file
   */
  public static List<Unit> list(Path root, ReadListener listener) throws IOException {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(listener, "listener");
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null, "no such file or folder");
    }
    if (Files.isRegularFile(root)) {
      return List.of(new Unit(root, single(root), Annotations.annotationFiles(root)));
    }
    Set<Path> dicomFolders = new TreeSet<>();
    List<Path> headers = new ArrayList<>();
    Map<Path, List<Path>> xmlByFolder = new TreeMap<>();
    List<Path> csvs = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        if (MetaImage.isHeader(f)) {
          headers.add(f);
        } else if (n.endsWith(".xml")) {
          xmlByFolder.computeIfAbsent(f.getParent(), k -> new ArrayList<>()).add(f);
        } else if (n.equals("annotations.csv")) {
          csvs.add(f);
        } else if (!dicomFolders.contains(f.getParent())
            && (DicomSeriesReader.looksDicom(f) || DicomFileMeta.hasMarker(f))) {
          // One DICOM file makes its folder a unit: the rest of the folder is not opened here
          // (archives from a PACS have millions of files without an extension).
          dicomFolders.add(f.getParent());
        }
      }
    }
    List<Unit> units = new ArrayList<>();
    for (Path folder : dicomFolders) {
      List<Path> notes = new ArrayList<>(xmlByFolder.getOrDefault(folder, List.of()));
      notes.addAll(csvs);
      units.add(new Unit(folder, Kind.DICOM_FOLDER, notes.stream().sorted().toList()));
    }
    for (Path h : headers) {
      units.add(new Unit(h, Kind.METAIMAGE, csvs));
    }
    for (var e : xmlByFolder.entrySet()) {
      if (!dicomFolders.contains(e.getKey())) {
        listener.skipped(e.getKey(), DicomSeriesReader.noImages(e.getKey(), e.getValue()));
      }
    }
    if (units.isEmpty()) {
      throw new UnreadableInputException(
          root, "no DICOM files or MetaImage headers (.mhd) under this folder");
    }
    units.sort((a, b) -> a.path().compareTo(b.path()));
    return List.copyOf(units);
  }

  private static Kind single(Path file) throws UnreadableInputException {
    if (MetaImage.isHeader(file)) {
      return Kind.METAIMAGE;
    }
    if (DicomSeriesReader.looksDicom(file) || DicomFileMeta.hasMarker(file)) {
      return Kind.DICOM_FOLDER;
    }
    throw new UnreadableInputException(
        file,
        "neither a DICOM file nor a MetaImage header (.mhd); valid kinds: "
            + List.of(Kind.values()));
  }

  /**
   * The CT volumes of one unit, labelled from its annotation files. Unreadable files and series are
   * reported to the listener and skipped, as the readers do.
   *
   * @throws NoSuchFileException if the unit's path no longer exists
   */
  public static List<CtVolume> read(Unit unit, ReadListener listener) throws IOException {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(listener, "listener");
    if (!Files.exists(unit.path())) {
      throw new NoSuchFileException(unit.path().toString(), null, "no such file or folder");
    }
    List<CtVolume> volumes;
    if (unit.kind() == Kind.METAIMAGE) {
      try {
        volumes = List.of(MetaImage.read(unit.path()));
      } catch (UnreadableInputException e) {
        listener.skipped(unit.path(), e);
        return List.of();
      }
    } else {
      List<Path> files;
      if (Files.isRegularFile(unit.path())) {
        files = List.of(unit.path());
      } else {
        try (Stream<Path> s = Files.list(unit.path())) {
          files = s.filter(Files::isRegularFile).sorted().toList();
        }
      }
      volumes = new DicomSeriesReader().readFiles(files, listener);
    }
    return Annotations.attach(unit.annotationFiles(), volumes, listener).stream()
        .map(DatasetExporter.Source::volume)
        .toList();
  }
}
