package org.cbmir.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Similar-case search in one object: reads CT, segments and encodes it with the shipped models,
 * and indexes or searches it. Implementations come from the class path ({@code cbmir-onnx},
 * {@code cbmir-index}, {@code cbmir-data}) through {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
 *   cbmir.ingest(Path.of("/archive/LIDC-IDRI"), VolumeReader.ReadListener.NONE);
 *   for (Hit hit : cbmir.search(Path.of("query.dcm"), 10)) {
 *     System.out.println(hit.rank() + " " + hit.ref().patientId() + " slice " + hit.ref().sliceIndex());
 *   }
 *   cbmir.save(Path.of("archive.cbmir"));
 * }
 * }</pre>
 *
 * <p>Thread-safety: searches may run concurrently with each other and with {@link #ingest};
 * {@link #close} must not race with other calls.
 */
public final class SimilarCaseSearch implements AutoCloseable {
  /** Slices segmented and encoded per model call during ingestion. */
  private static final int BATCH = 8;

  private final Segmenter segmenter;
  private final Encoder encoder;
  private final RetrievalIndex index;
  private final List<VolumeReader> readers;
  private volatile boolean closed;

  private SimilarCaseSearch(Segmenter segmenter, Encoder encoder, RetrievalIndex index,
      List<VolumeReader> readers) {
    this.segmenter = segmenter;
    this.encoder = encoder;
    this.index = index;
    this.readers = List.copyOf(readers);
  }

  /** The shipped models and a new in-memory index. */
  public static SimilarCaseSearch create() {
    return create(Models.segmenter(), Models.encoder());
  }

  /** Given models and a new in-memory index matching the encoder. */
  public static SimilarCaseSearch create(Segmenter segmenter, Encoder encoder) {
    RetrievalIndex index = RetrievalIndexes.create(IndexConfig.builder().matching(encoder)
        .build());
    return new SimilarCaseSearch(segmenter, encoder, index, readers());
  }

  /**
   * The shipped models and a saved index.
   *
   * @throws ModelMismatchException if the index was built with another model
   * @throws CorruptIndexException if the file is not a complete, intact index
   */
  public static SimilarCaseSearch open(Path indexFile) throws IOException {
    Segmenter s = Models.segmenter();
    Encoder e = Models.encoder();
    try {
      return new SimilarCaseSearch(s, e, RetrievalIndexes.open(indexFile, e.modelFingerprint()),
          readers());
    } catch (IOException | RuntimeException ex) {
      s.close();
      e.close();
      throw ex;
    }
  }

  private static List<VolumeReader> readers() {
    List<VolumeReader> r = new ArrayList<>();
    ServiceLoader.load(VolumeReader.class).forEach(r::add);
    return r;
  }

  /** What {@link #ingest} did. Thread-safety: immutable. */
  public record IngestReport(int volumes, int slices, int skippedFiles) {}

  /**
   * Reads every CT volume under {@code path} with the readers on the class path, and indexes all
   * its slices. Files that cannot be read are reported to the listener and skipped.
   *
   * @throws IOException if the path cannot be read at all
   */
  public IngestReport ingest(Path path, VolumeReader.ReadListener listener) throws IOException {
    ensureOpen();
    Objects.requireNonNull(listener, "listener");
    if (!Files.exists(path)) {
      throw new java.nio.file.NoSuchFileException(path.toString());
    }
    int[] skipped = {0};
    VolumeReader.ReadListener counting = new VolumeReader.ReadListener() {
      @Override
      public void progress(int done, int total) {
        listener.progress(done, total);
      }

      @Override
      public void skipped(Path file, CbmirException reason) {
        skipped[0]++;
        listener.skipped(file, reason);
      }
    };
    int volumes = 0;
    int slices = 0;
    for (VolumeReader reader : readers) {
      if (!reader.canRead(path)) {
        continue;
      }
      for (CtVolume v : reader.read(path, counting)) {
        volumes++;
        for (int k = 0; k < v.depth(); k += BATCH) {
          List<CtSlice> batch = new ArrayList<>();
          for (int j = k; j < Math.min(v.depth(), k + BATCH); j++) {
            batch.add(v.slice(j));
          }
          List<Embedding> e = encoder.encodeAll(batch, segmenter.segmentAll(batch));
          for (int j = 0; j < batch.size(); j++) {
            index.add(batch.get(j).ref(), e.get(j));
          }
          slices += batch.size();
        }
      }
    }
    if (volumes == 0 && skipped[0] == 0) {
      throw new UnreadableInputException(path, "no CT volume found; readers on the class path: "
          + readers.stream().map(VolumeReader::name).toList());
    }
    return new IngestReport(volumes, slices, skipped[0]);
  }

  /**
   * The {@code k} slices most similar to the first slice of a DICOM (or other readable) file.
   *
   * @throws UnreadableInputException if the file holds no readable CT slice
   */
  public List<Hit> search(Path file, int k) throws IOException {
    ensureOpen();
    for (VolumeReader reader : readers) {
      if (reader.canRead(file)) {
        List<UnreadableInputException> why = new ArrayList<>();
        List<CtVolume> v = reader.read(file, new VolumeReader.ReadListener() {
          @Override
          public void skipped(Path f, CbmirException reason) {
            why.add(new UnreadableInputException(f, reason.getMessage(), reason));
          }
        });
        if (!v.isEmpty()) {
          return search(v.get(0).slice(0), SearchRequest.builder().k(k).build()).hits();
        }
        if (!why.isEmpty()) {
          throw why.get(0);
        }
      }
    }
    throw new UnreadableInputException(file, "not a readable CT image; readers on the class path: "
        + readers.stream().map(VolumeReader::name).toList());
  }

  /** Searches for one slice. */
  public SearchResult search(CtSlice slice, SearchRequest request) {
    ensureOpen();
    Embedding e = encoder.encode(slice, segmenter.segment(slice));
    return index.search(e, request);
  }

  /** The index, for direct use (filters, removal, statistics). */
  public RetrievalIndex index() {
    ensureOpen();
    return index;
  }

  /** Saves the index atomically. */
  public void save(Path file) throws IOException {
    ensureOpen();
    index.save(file);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("SimilarCaseSearch is closed");
    }
  }

  /** Closes the models and the index; closing twice is harmless. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (segmenter; encoder; index) {
      // closes all three
    }
  }
}
