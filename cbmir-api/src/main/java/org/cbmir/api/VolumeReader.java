package org.cbmir.api;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CT volumes from files or folders (a DICOM tree, a MetaImage file). Implementations are
 * found with {@link java.util.ServiceLoader}.
 *
 * <p>A reader never stops at the first bad file: it reports each one to the listener and reads the
 * rest. Thread-safety: implementations are thread-safe.
 */
public interface VolumeReader {

  /** A short name for logs and error messages, e.g. "dicom". */
  String name();

  /** Whether this reader recognises the path (by extension, folder content or magic bytes). */
  boolean canRead(Path path);

  /**
   * Reads every CT volume under {@code path}.
   *
   * @throws IOException if the path itself cannot be read (missing, not accessible)
   */
  List<CtVolume> read(Path path, ReadListener listener) throws IOException;

  /**
   * Progress and per-file failures of a read. Thread-safety: called on the reading thread only, so
   * an implementation used by one read at a time needs no synchronisation.
   */
  interface ReadListener {
    /** A listener that ignores everything. */
    ReadListener NONE = new ReadListener() {};

    /** {@code done} of {@code total} files have been looked at. */
    default void progress(int done, int total) {}

    /** A file was skipped; the read goes on. */
    default void skipped(Path file, CbmirException reason) {}
  }
}
