package org.cbmir.api;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Similar-case search in one object: reads CT, segments and encodes it with the shipped models, and
 * indexes or searches it. Implementations come from the class path ({@code cbmir-onnx}, {@code
 * cbmir-index}, {@code cbmir-data}) through {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * try (SimilarCaseSearch cbmir = SimilarCaseSearch.create()) {
 *   cbmir.ingest(Path.of("/archive/LIDC-IDRI"));
 *   for (Hit hit : cbmir.search(Path.of("query.dcm"), 10)) {
 *     System.out.println(hit.rank() + " " + hit.ref().patientId() + " slice "
 *         + hit.ref().sliceIndex() + " " + hit.ref().noduleClass().description());
 *   }
 *   cbmir.save(Path.of("archive.cbmir"));
 * }
 * }</pre>
 *
 * <p>Ingest labels slices with their nodule class where the readers find annotations beside the
 * images (LIDC XML, LUNA16 {@code annotations.csv}), and applies the {@link IdentifierPolicy} given
 * to {@link Builder#identifiers} before anything reaches the index.
 *
 * <p>Thread-safety: searches may run concurrently with each other and with {@link #ingest}; ingests
 * run one at a time (a second waits for the first); {@link #close} must not race with other calls.
 */
public final class SimilarCaseSearch implements AutoCloseable {
  /** Slices segmented and encoded per model call during ingestion. */
  private static final int BATCH = 8;

  private final Segmenter segmenter;
  private final Encoder encoder;
  private final RetrievalIndex index;
  private final List<VolumeReader> readers;
  private final IdentifierPolicy identifiers;
  private final Object ingestLock = new Object();

  /** Series UID (as stored) to its ordinals; built on the first ingest, guarded by ingestLock. */
  private Map<String, List<Integer>> seriesOrdinals;

  private volatile boolean closed;

  private SimilarCaseSearch(
      Segmenter segmenter, Encoder encoder, RetrievalIndex index, IdentifierPolicy identifiers) {
    this.segmenter = segmenter;
    this.encoder = encoder;
    this.index = index;
    this.identifiers = identifiers;
    this.readers = readers();
  }

  /**
   * The shipped models and a new in-memory index; identifiers kept as read.
   *
   * @throws IOException if a shipped model cannot be loaded
   */
  public static SimilarCaseSearch create() throws IOException {
    return builder().create();
  }

  /** Given models (closed with this object) and a new in-memory index matching the encoder. */
  public static SimilarCaseSearch create(Segmenter segmenter, Encoder encoder) {
    Objects.requireNonNull(segmenter, "segmenter");
    Objects.requireNonNull(encoder, "encoder");
    try {
      return new SimilarCaseSearch(
          segmenter,
          encoder,
          RetrievalIndexes.create(IndexConfig.builder().matching(encoder).build()),
          IdentifierPolicy.keepAsIs());
    } catch (RuntimeException e) {
      segmenter.close();
      encoder.close();
      throw e;
    }
  }

  /**
   * The shipped models and a saved index.
   *
   * @throws ModelMismatchException if the index was built with another model
   * @throws CorruptIndexException if the file is not a complete, intact index
   */
  public static SimilarCaseSearch open(Path indexFile) throws IOException {
    return builder().open(indexFile);
  }

  /** A builder: the models, the identifier policy, then a new or a saved index. */
  public static Builder builder() {
    return new Builder();
  }

  private static List<VolumeReader> readers() {
    List<VolumeReader> r = new ArrayList<>();
    Providers.load(VolumeReader.class).forEach(r::add);
    return r;
  }

  /**
   * What {@link #ingest} did. Thread-safety: immutable.
   *
   * @param volumes series read and indexed (replaced ones included)
   * @param slices slices added to the index
   * @param skippedFiles files (or series) reported to the listener as skipped
   * @param skippedDuplicates series not added because the index already held them
   * @param replaced series whose earlier slices were replaced
   */
  public record IngestReport(
      int volumes, int slices, int skippedFiles, int skippedDuplicates, int replaced) {}

  /** {@link #ingest(Path, IngestOptions)} with the defaults: no listener, duplicates skipped. */
  public IngestReport ingest(Path path) throws IOException {
    return ingest(path, IngestOptions.defaults());
  }

  /**
   * Reads every CT volume under {@code path} with the readers on the class path and indexes all its
   * slices, a whole volume or nothing of it: each volume is segmented and encoded completely before
   * its first slice is added, so a volume that fails is skipped (and reported) without a trace in
   * the index. Files that cannot be read are reported to the listener and skipped; a series already
   * in the index is skipped or replaced as the options say.
   *
   * @throws IOException if the path cannot be read at all
   * @throws UnreadableInputException if nothing under the path is a CT volume
   * @throws UnsupportedOperationException if the index was opened memory-mapped (read-only)
   */
  public IngestReport ingest(Path path, IngestOptions options) throws IOException {
    ensureOpen();
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(options, "options");
    if (index.isReadOnly()) {
      throw new UnsupportedOperationException(
          "this search object's index was opened"
              + " memory-mapped, which is read-only; open it without Builder.memoryMapped() to"
              + " ingest");
    }
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "nothing to ingest there");
    }
    int[] skipped = {0};
    ProgressListener listener =
        new ProgressListener() {
          @Override
          public void progress(Progress p) {
            options.listener().progress(p);
          }

          @Override
          public void skipped(Path file, CbmirException reason) {
            skipped[0]++;
            options.listener().skipped(file, reason);
          }
        };
    VolumeReader.ReadListener reading = listener.reading();
    List<CtVolume> volumes = new ArrayList<>();
    for (VolumeReader reader : readers) {
      if (reader.canRead(path)) {
        volumes.addAll(reader.read(path, reading));
      }
    }
    if (volumes.isEmpty() && skipped[0] == 0) {
      throw new UnreadableInputException(
          path,
          "no CT volume found; readers on the class path: "
              + readers.stream().map(VolumeReader::name).toList());
    }
    synchronized (ingestLock) {
      ensureOpen();
      Map<String, List<Integer>> known = seriesOrdinals();
      List<CtVolume> todo = new ArrayList<>();
      int duplicates = 0;
      for (CtVolume v : volumes) {
        boolean indexed = isIndexed(known.get(identifiers.seriesUid(v.seriesUid())));
        if (indexed && options.duplicates() == IngestOptions.DuplicateSeries.SKIP) {
          duplicates++;
        } else {
          todo.add(v);
        }
      }
      long total = todo.stream().mapToLong(CtVolume::depth).sum();
      long encodeStart = System.nanoTime();
      int added = 0;
      int volumesAdded = 0;
      int replaced = 0;
      for (CtVolume v : todo) {
        List<SliceRef> refs = new ArrayList<>(v.depth());
        List<Embedding> embeddings;
        try {
          embeddings = encodeVolume(v, refs, added, total, encodeStart, listener);
        } catch (RuntimeException e) {
          // A volume the models reject (or whose labels do not fit) leaves no trace.
          listener.skipped(
              path,
              new UnreadableInputException(
                  path,
                  "series "
                      + v.seriesUid()
                      + " of patient "
                      + v.patientId()
                      + " could not be encoded: "
                      + e.getMessage(),
                  e));
          total -= v.depth();
          continue;
        }
        String series = identifiers.seriesUid(v.seriesUid());
        List<Integer> old = known.get(series);
        if (isIndexed(old)) {
          for (int ord : old) {
            index.remove(ord);
          }
          replaced++;
        }
        List<Integer> ords = new ArrayList<>(refs.size());
        for (int j = 0; j < refs.size(); j++) {
          ords.add(index.add(refs.get(j), embeddings.get(j)));
        }
        known.put(series, ords);
        added += refs.size();
        volumesAdded++;
      }
      return new IngestReport(volumesAdded, added, skipped[0], duplicates, replaced);
    }
  }

  /** Segments and encodes all of a volume, reporting progress; adds nothing. */
  private List<Embedding> encodeVolume(
      CtVolume v,
      List<SliceRef> refs,
      long doneBefore,
      long total,
      long start,
      ProgressListener listener) {
    List<Embedding> out = new ArrayList<>(v.depth());
    for (int k = 0; k < v.depth(); k += BATCH) {
      List<CtSlice> batch = new ArrayList<>(BATCH);
      for (int j = k; j < Math.min(v.depth(), k + BATCH); j++) {
        CtSlice slice = v.slice(j);
        batch.add(slice);
        refs.add(identifiers.apply(slice.ref().orElseThrow()));
      }
      out.addAll(encoder.encodeAll(batch, segmenter.segmentAll(batch)));
      listener.progress(
          new ProgressListener.Progress(
              ProgressListener.Step.ENCODE,
              doneBefore + out.size(),
              total,
              Duration.ofNanos(System.nanoTime() - start)));
    }
    return out;
  }

  private boolean isIndexed(List<Integer> ordinals) {
    if (ordinals != null) {
      for (int ord : ordinals) {
        if (!index.isRemoved(ord)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Lazily, so that opening a large index to search it costs no scan. */
  private Map<String, List<Integer>> seriesOrdinals() {
    if (seriesOrdinals == null) {
      Map<String, List<Integer>> m = new HashMap<>();
      int n = index.ordinalCount();
      for (int ord = 0; ord < n; ord++) {
        m.computeIfAbsent(index.ref(ord).seriesUid(), s -> new ArrayList<>()).add(ord);
      }
      seriesOrdinals = m;
    }
    return seriesOrdinals;
  }

  /**
   * The {@code k} slices most similar to the first slice of a DICOM (or other readable) file.
   *
   * @throws UnreadableInputException if the file holds no readable CT slice
   */
  public List<Hit> search(Path file, int k) throws IOException {
    ensureOpen();
    Objects.requireNonNull(file, "file");
    for (VolumeReader reader : readers) {
      if (reader.canRead(file)) {
        List<UnreadableInputException> why = new ArrayList<>();
        List<CtVolume> v =
            reader.read(
                file,
                new VolumeReader.ReadListener() {
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
    throw new UnreadableInputException(
        file,
        "not a readable CT image; readers on the class path: "
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

  /** The policy applied to identifiers at ingest, e.g. to exclude a patient by its pseudonym. */
  public IdentifierPolicy identifiers() {
    return identifiers;
  }

  /** Saves the index atomically. */
  public void save(Path file) throws IOException {
    save(file, ProgressListener.NONE);
  }

  /** Saves the index atomically, reporting the step to the listener when it starts and ends. */
  public void save(Path file, ProgressListener listener) throws IOException {
    ensureOpen();
    long start = System.nanoTime();
    listener.progress(
        new ProgressListener.Progress(ProgressListener.Step.SAVE, 0, 1, Duration.ZERO));
    index.save(file);
    listener.progress(
        new ProgressListener.Progress(
            ProgressListener.Step.SAVE, 1, 1, Duration.ofNanos(System.nanoTime() - start)));
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
    try (segmenter;
        encoder;
        index) {
      // closes all three
    }
  }

  /**
   * Builder for {@link SimilarCaseSearch}: optional models and identifier policy, then {@link
   * #create()} or {@link #open(Path)}. Not thread-safe.
   */
  public static final class Builder {
    private Segmenter segmenter;
    private Encoder encoder;
    private IdentifierPolicy identifiers = IdentifierPolicy.keepAsIs();
    private boolean mapped;

    private Builder() {}

    /** Models to use instead of the shipped ones; they are closed with the search object. */
    public Builder models(Segmenter segmenter, Encoder encoder) {
      this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
      this.encoder = Objects.requireNonNull(encoder, "encoder");
      return this;
    }

    /**
     * What happens to patient IDs and UIDs at ingest (default {@link IdentifierPolicy#keepAsIs}).
     */
    public Builder identifiers(IdentifierPolicy policy) {
      this.identifiers = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * {@link #open(Path)} maps the index file instead of reading it (see {@link OpenOptions}):
     * opens large archives in a fraction of a second and keeps their features off the heap; the
     * search object can then search but not ingest.
     */
    public Builder memoryMapped() {
      this.mapped = true;
      return this;
    }

    /**
     * With a new, empty in-memory index matching the encoder.
     *
     * @throws IOException if a shipped model cannot be loaded
     */
    public SimilarCaseSearch create() throws IOException {
      return assemble(e -> RetrievalIndexes.create(IndexConfig.builder().matching(e).build()));
    }

    /**
     * With a saved index.
     *
     * @throws ModelMismatchException if the index was built with another model
     * @throws CorruptIndexException if the file is not a complete, intact index
     */
    public SimilarCaseSearch open(Path indexFile) throws IOException {
      return assemble(
          e -> {
            OpenOptions.Builder how = OpenOptions.builder().modelFingerprint(e.modelFingerprint());
            if (mapped) {
              how.memoryMapped();
            }
            return RetrievalIndexes.open(indexFile, how.build());
          });
    }

    /**
     * With a new, empty index at a location served by a provider on the class path, for instance
     * {@code opensearch://host:9200/lung-archive} with {@code cbmir-opensearch} (see {@link
     * RetrievalIndexes#create(URI, IndexConfig)}).
     *
     * @throws IllegalArgumentException if no provider serves the location, or it already holds an
     *     index
     * @throws IOException if a shipped model cannot be loaded
     */
    public SimilarCaseSearch create(URI location) throws IOException {
      return assemble(
          e -> RetrievalIndexes.create(location, IndexConfig.builder().matching(e).build()));
    }

    /**
     * With the index at a location served by a provider on the class path (see {@link
     * RetrievalIndexes#open(URI, OpenOptions)}).
     *
     * @throws ModelMismatchException if the index was built with another model
     * @throws java.nio.file.NoSuchFileException if there is no index at the location
     */
    public SimilarCaseSearch open(URI location) throws IOException {
      return assemble(
          e ->
              RetrievalIndexes.open(
                  location, OpenOptions.builder().modelFingerprint(e.modelFingerprint()).build()));
    }

    /**
     * With an index the caller made, from any provider and with any settings (an OpenSearch index
     * with its shards and replicas, say); the search object closes it.
     *
     * @throws IllegalArgumentException if its code length, FC1 dimension or model differ from the
     *     encoder's
     * @throws IOException if a shipped model cannot be loaded
     */
    public SimilarCaseSearch using(RetrievalIndex index) throws IOException {
      Objects.requireNonNull(index, "index");
      return assemble(
          e -> {
            if (!index.shape().equals(e.shape())) {
              throw new IllegalArgumentException(
                  "the index holds " + index.shape() + "; the encoder makes " + e.shape());
            }
            return index;
          });
    }

    /** Makes the index for the models; may throw. */
    private interface IndexSource {
      RetrievalIndex make(Encoder encoder) throws IOException;
    }

    /** The models (given or shipped) and the index; the models are closed if the index fails. */
    private SimilarCaseSearch assemble(IndexSource source) throws IOException {
      Segmenter s = segmenter != null ? segmenter : Models.segmenter();
      Encoder e;
      try {
        e = encoder != null ? encoder : Models.encoder();
      } catch (IOException | RuntimeException ex) {
        s.close();
        throw ex;
      }
      try {
        return new SimilarCaseSearch(s, e, source.make(e), identifiers);
      } catch (IOException | RuntimeException ex) {
        s.close();
        e.close();
        throw ex;
      }
    }
  }
}
