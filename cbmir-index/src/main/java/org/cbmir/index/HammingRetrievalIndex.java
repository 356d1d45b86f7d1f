package org.cbmir.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;
import org.roaringbitmap.RoaringBitmap;

/**
 * The in-memory {@link RetrievalIndex}: a thin facade that holds the lock and composes the parts
 * along a query's path (see {@code docs/ARCHITECTURE.md}): a {@link CodeStore} and a {@link
 * FeatureStore}, the {@link SliceTable} of references and filter bitmaps, the {@link CoarseStage}
 * (multi-index hashing or SIMD scan, chosen per query by estimated cost, and the widening rule),
 * the {@link FineStage} (SIMD FC1 rerank, ties by ordinal), the {@link HitAssembler}, and {@link
 * SearchModes}, which composes them per mode. Obtain it through {@link
 * org.cbmir.api.RetrievalIndexes}; the extra public methods serve tools and benchmarks that work
 * below the request level.
 *
 * <p>Thread-safety: thread-safe. Searches run concurrently under a read lock; adds and removes take
 * the write lock briefly. Multi-index tables are rebuilt lazily, by the first search that finds
 * more than one code in {@value CoarseStage#MAX_UNHASHED_FRACTION_INVERSE} outside them.
 */
public final class HammingRetrievalIndex implements RetrievalIndex {
  private final IndexShape shape;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  /** One save at a time per index: saves to one path share a temporary file name. */
  private final ReentrantLock saveLock = new ReentrantLock();

  private final CodeStore codes;
  private final FeatureStore features;

  /** Float32 rows for exact re-scoring beside approximate {@link #features}, or null. */
  private final FeatureStore exact;

  private final FeatureStorage storage;
  private final SliceTable slices;
  private final RoaringBitmap tombstones;
  private final CoarseStage coarse;
  private final FineStage fine;
  private final SearchModes modes;

  /** The file this index is mapped from, or null when its parts are on the heap. */
  private final Path mappedFrom;

  private int count;
  private volatile boolean closed;

  HammingRetrievalIndex(IndexConfig config) {
    this(
        config,
        new HeapCodeStore(config.bits(), config.expectedSlices()),
        rankingStore(config.featureStorage(), config.featureDimension()),
        config.featureStorage() == FeatureStorage.INT8_RESCORED
            ? new Float32FeatureStore(config.featureDimension())
            : null,
        new HeapSliceTable(config.expectedSlices()),
        new RoaringBitmap(),
        null);
  }

  private static FeatureStore rankingStore(FeatureStorage storage, int dim) {
    return switch (storage) {
      case FLOAT32 -> new Float32FeatureStore(dim);
      case INT8, INT8_RESCORED -> new Int8FeatureStore(dim);
      case FLOAT16 -> new Float16FeatureStore(dim);
    };
  }

  /**
   * An index over loaded parts, which the loader has checked against each other: {@code features}
   * rank, {@code exact} (null unless the storage is {@code INT8_RESCORED}) re-scores; {@code
   * mappedFrom} is the file whose mapping serves the parts, or null for parts on the heap.
   */
  HammingRetrievalIndex(
      IndexConfig config,
      CodeStore codes,
      FeatureStore features,
      FeatureStore exact,
      SliceTable slices,
      RoaringBitmap tombstones,
      Path mappedFrom) {
    this.mappedFrom = mappedFrom;
    this.shape = IndexShape.of(config);
    this.storage = config.featureStorage();
    this.codes = codes;
    this.features = features;
    this.exact = exact;
    this.slices = slices;
    this.tombstones = tombstones;
    this.count = codes.size();
    this.coarse = new CoarseStage(codes);
    this.fine = new FineStage(features, exact);
    this.modes = new SearchModes(coarse, fine, new HitAssembler(codes, fine, slices));
  }

  @Override
  public int bits() {
    return shape.bits();
  }

  @Override
  public int featureDimension() {
    return shape.dimension();
  }

  @Override
  public String modelFingerprint() {
    return shape.fingerprint();
  }

  // ---------------------------------------------------------------- add, remove, lookup

  @Override
  public int add(SliceRef ref, Embedding embedding) {
    if (ref == null) {
      throw new IllegalArgumentException("ref is required");
    }
    if (mappedFrom != null) {
      throw new UnsupportedOperationException(
          "this index is memory-mapped from "
              + mappedFrom
              + ", which is read-only for adds; open it without OpenOptions.Builder.memoryMapped()"
              + " to add slices");
    }
    shape.check(embedding, "embedding");
    features.checkRow(embedding);
    lock.writeLock().lock();
    try {
      ensureOpen();
      int ord = count;
      codes.append(embedding);
      features.append(embedding);
      if (exact != null) {
        exact.append(embedding);
      }
      slices.add(ref);
      count = ord + 1;
      return ord;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public boolean remove(int ordinal) {
    lock.writeLock().lock();
    try {
      ensureOpen();
      checkOrdinal(ordinal);
      return tombstones.checkedAdd(ordinal);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public int size() {
    return underReadLock(() -> count - tombstones.getCardinality());
  }

  @Override
  public int ordinalCount() {
    return underReadLock(() -> count);
  }

  @Override
  public SliceRef ref(int ordinal) {
    return underReadLock(
        () -> {
          checkOrdinal(ordinal);
          return slices.ref(ordinal);
        });
  }

  @Override
  public boolean isRemoved(int ordinal) {
    return underReadLock(
        () -> {
          checkOrdinal(ordinal);
          return tombstones.contains(ordinal);
        });
  }

  /** Runs a read on an open index under the read lock. */
  private <T> T underReadLock(Supplier<T> read) {
    lock.readLock().lock();
    try {
      ensureOpen();
      return read.get();
    } catch (InternalError e) {
      CorruptIndexException c = mappingFault(e);
      throw new UncheckedIOException(c.getMessage(), c);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * A fault reading a mapped file (see {@link MappedSection}) as the exception the contract names;
   * any other internal error unchanged.
   */
  private CorruptIndexException mappingFault(InternalError e) {
    if (mappedFrom == null) {
      throw e;
    }
    return MappedSection.fault(mappedFrom, "mapped sections", e);
  }

  // ---------------------------------------------------------------- search

  @Override
  public SearchResult search(Embedding query, SearchRequest request) {
    if (query == null) {
      throw new IllegalArgumentException("query is required");
    }
    return searchBatch(List.of(query), request).get(0);
  }

  @Override
  public List<SearchResult> searchBatch(List<Embedding> queries, SearchRequest request) {
    if (queries == null) {
      throw new IllegalArgumentException("queries is required (an empty list for none)");
    }
    if (request == null) {
      throw new IllegalArgumentException("request is required");
    }
    for (int i = 0; i < queries.size(); i++) {
      shape.check(queries.get(i), "query " + i);
    }
    refreshTables();
    return underReadLock(
        () -> {
          int nq = queries.size();
          int words = shape.words();
          long[] qcodes = new long[nq * words];
          for (int i = 0; i < nq; i++) {
            queries.get(i).copyCodeInto(qcodes, i * words);
          }
          Blocked blocked = slices.blocked(request, tombstones);
          int live = count - blocked.cardinality();
          Candidates[] firstPass =
              request.mode() == SearchMode.COARSE_TO_FINE && nq > 1
                  ? coarse.sharedScan(
                      qcodes, nq, request.hammingRadius(), blocked, request.minPoolSize())
                  : null;
          List<SearchResult> out = new ArrayList<>(nq);
          float[] qf = new float[shape.dimension()];
          for (int i = 0; i < nq; i++) {
            queries.get(i).copyFc1Into(qf, 0);
            out.add(
                modes.search(
                    qcodes,
                    i * words,
                    qf,
                    request,
                    blocked,
                    live,
                    count,
                    firstPass == null ? null : firstPass[i]));
          }
          return out;
        });
  }

  // ---------------------------------------------------------------- below the request level

  /**
   * The ordinals of all live codes within {@code radius} of a packed query code, ascending, found
   * with the given strategy ({@link CoarseStrategy#AUTO} lets the cost model choose). Every
   * strategy returns exactly the same set.
   *
   * @throws IllegalArgumentException for {@link CoarseStrategy#NONE}, which forms no pool
   */
  public int[] radiusSearch(long[] query, int radius, CoarseStrategy strategy) {
    shape.checkCode(query);
    if (radius < 0) {
      throw new IllegalArgumentException("radius must be >= 0, got " + radius);
    }
    refreshTables();
    return underReadLock(
        () -> coarse.radiusSearch(query, radius, strategy, Blocked.of(tombstones)));
  }

  /** The {@code m} live codes nearest a packed query code by Hamming distance, ties by ordinal. */
  public int[] topByHamming(long[] query, int m) {
    shape.checkCode(query);
    if (m < 1) {
      throw new IllegalArgumentException("m must be >= 1, got " + m);
    }
    return underReadLock(
        () -> {
          long[] keys = coarse.linear().topByHamming(query, 0, m, Blocked.of(tombstones));
          int[] out = new int[keys.length];
          for (int i = 0; i < keys.length; i++) {
            out[i] = LongHeap.ordinal(keys[i]);
          }
          return out;
        });
  }

  /** Number of multi-index tables in use (0 when the index is too small to use them). */
  public int multiIndexTables() {
    refreshTables();
    return coarse.tables();
  }

  /**
   * Bytes held by the hot arrays (codes, features, multi-index tables) per live ordinal, measured
   * from the arrays' lengths (capacity included).
   */
  public double hotBytesPerSlice() {
    return underReadLock(
        () ->
            count == 0
                ? 0.0
                : (double) (codes.ramBytesUsed() + features.ramBytesUsed() + coarse.ramBytesUsed())
                    / count);
  }

  /**
   * Total bytes held: hot arrays, the float32 rows kept for re-scoring (touched for a few rows per
   * query only), slice references, filter bitmaps and tombstones.
   */
  public long ramBytesUsed() {
    return underReadLock(
        () ->
            codes.ramBytesUsed()
                + features.ramBytesUsed()
                + (exact == null ? 0 : exact.ramBytesUsed())
                + coarse.ramBytesUsed()
                + slices.ramBytesUsed()
                + tombstones.getLongSizeInBytes());
  }

  /** How the FC1 features are kept. */
  public FeatureStorage featureStorage() {
    return storage;
  }

  /** Whether this index serves its features and references from a memory-mapped file. */
  public boolean isMemoryMapped() {
    return mappedFrom != null;
  }

  @Override
  public boolean isReadOnly() {
    return mappedFrom != null;
  }

  /** Rebuilds the multi-index tables when too many codes are outside them. */
  private void refreshTables() {
    if (!coarse.tablesStale()) {
      return;
    }
    lock.writeLock().lock();
    try {
      if (!closed && coarse.tablesStale()) {
        coarse.rebuildTables();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---------------------------------------------------------------- persistence

  @Override
  public void save(Path file) throws IOException {
    if (file == null) {
      throw new IllegalArgumentException("file is required");
    }
    saveLock.lock();
    try {
      // Snapshot under the lock (references and a tombstone copy: milliseconds), write without
      // it, so that adds and searches do not wait for the disk.
      int n;
      List<SectionSource> parts;
      RoaringBitmap removed;
      lock.readLock().lock();
      try {
        ensureOpen();
        n = count;
        parts =
            exact == null
                ? List.of(codes.snapshot(n), features.snapshot(n), slices.snapshot(n))
                : List.of(
                    codes.snapshot(n), features.snapshot(n), exact.snapshot(n), slices.snapshot(n));
        removed = tombstones.clone();
      } finally {
        lock.readLock().unlock();
      }
      try {
        IndexFile.write(file, shape, storage, n, parts, removed);
      } catch (InternalError e) {
        throw mappingFault(e);
      }
    } finally {
      saveLock.unlock();
    }
  }

  // ---------------------------------------------------------------- checks

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
      codes.release();
      features.release();
      if (exact != null) {
        exact.release();
      }
      coarse.release();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("index is closed");
    }
  }

  private void checkOrdinal(int ordinal) {
    if (ordinal < 0 || ordinal >= count) {
      throw new IllegalArgumentException(
          "unknown ordinal " + ordinal + "; valid ordinals are 0.." + (count - 1));
    }
  }

  @Override
  public String toString() {
    return "HammingRetrievalIndex["
        + count
        + " slices, "
        + shape.bits()
        + " bits, "
        + shape.dimension()
        + "-d FC1]";
  }
}
