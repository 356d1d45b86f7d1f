package org.cbmir.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
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
 * the {@link FineStage} (SIMD FC1 rerank, ties by ordinal) and the {@link HitAssembler}. Obtain it
 * through {@link org.cbmir.api.RetrievalIndexes}; the extra public methods serve tools and
 * benchmarks that work below the request level.
 *
 * <p>Thread-safety: thread-safe. Searches run concurrently under a read lock; adds and removes take
 * the write lock briefly. Multi-index tables are rebuilt lazily, by the first search that finds
 * more than one code in {@value CoarseStage#MAX_UNHASHED_FRACTION_INVERSE} outside them.
 */
public final class HammingRetrievalIndex implements RetrievalIndex {
  private final int bits;
  private final int words;
  private final int dim;
  private final String fingerprint;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  private final CodeStore codes;
  private final FeatureStore features;
  private final SliceTable slices;
  private final RoaringBitmap tombstones;
  private final CoarseStage coarse;
  private final FineStage fine;
  private final HitAssembler assembler;
  private int count;
  private volatile boolean closed;

  HammingRetrievalIndex(IndexConfig config) {
    this(config, new HeapCodeStore(config.bits(), config.expectedSlices()),
        new Float32FeatureStore(config.featureDimension()),
        new SliceTable(config.expectedSlices()), new RoaringBitmap());
  }

  /** An index over loaded parts, which the loader has checked against each other. */
  HammingRetrievalIndex(IndexConfig config, CodeStore codes, FeatureStore features,
      SliceTable slices, RoaringBitmap tombstones) {
    this.bits = config.bits();
    this.words = Embedding.wordsFor(bits);
    this.dim = config.featureDimension();
    this.fingerprint = config.modelFingerprint();
    this.codes = codes;
    this.features = features;
    this.slices = slices;
    this.tombstones = tombstones;
    this.count = codes.size();
    this.coarse = new CoarseStage(codes);
    this.fine = new FineStage(features);
    this.assembler = new HitAssembler(codes, fine, slices);
  }

  @Override
  public int bits() {
    return bits;
  }

  @Override
  public int featureDimension() {
    return dim;
  }

  @Override
  public String modelFingerprint() {
    return fingerprint;
  }

  // ---------------------------------------------------------------- add, remove, lookup

  @Override
  public int add(SliceRef ref, Embedding embedding) {
    if (ref == null) {
      throw new IllegalArgumentException("ref is required");
    }
    checkEmbedding(embedding, "embedding");
    lock.writeLock().lock();
    try {
      ensureOpen();
      int ord = count;
      codes.append(embedding);
      features.append(embedding);
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
    return underReadLock(() -> {
      checkOrdinal(ordinal);
      return slices.ref(ordinal);
    });
  }

  /** Whether the ordinal has been removed. */
  public boolean isRemoved(int ordinal) {
    return underReadLock(() -> {
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
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---------------------------------------------------------------- search

  @Override
  public SearchResult search(Embedding query, SearchRequest request) {
    return searchBatch(List.of(query), request).get(0);
  }

  @Override
  public List<SearchResult> searchBatch(List<Embedding> queries, SearchRequest request) {
    if (request == null) {
      throw new IllegalArgumentException("request is required");
    }
    for (int i = 0; i < queries.size(); i++) {
      checkEmbedding(queries.get(i), "query " + i);
    }
    refreshTables();
    return underReadLock(() -> {
      int nq = queries.size();
      long[] qcodes = new long[nq * words];
      for (int i = 0; i < nq; i++) {
        queries.get(i).copyCodeInto(qcodes, i * words);
      }
      RoaringBitmap blocked = slices.blocked(request, tombstones);
      int live = count - (blocked == null ? 0 : blocked.getCardinality());
      Candidates[] firstPass = request.mode() == SearchMode.COARSE_TO_FINE && nq > 1
          ? coarse.sharedScan(qcodes, nq, request.hammingRadius(), blocked,
              request.minPoolSize())
          : null;
      List<SearchResult> out = new ArrayList<>(nq);
      float[] qf = new float[dim];
      for (int i = 0; i < nq; i++) {
        queries.get(i).copyFc1Into(qf, 0);
        out.add(searchOne(qcodes, i * words, qf, request, blocked, live,
            firstPass == null ? null : firstPass[i]));
      }
      return out;
    });
  }

  private SearchResult searchOne(long[] q, int qo, float[] qf, SearchRequest req,
      RoaringBitmap blocked, int live, Candidates firstPass) {
    int k = req.k();
    int cap = req.maxHitsPerPatient();
    switch (req.mode()) {
      case EXHAUSTIVE_FC1 -> {
        long[] keys = fine.exhaustive(qf, blocked, cap == Integer.MAX_VALUE ? k : live, count);
        return new SearchResult(assembler.byFeatures(keys, q, qo, k, cap), CoarseStrategy.NONE,
            -1, live, live, live);
      }
      case HAMMING -> {
        // Widen m until the per-patient cap leaves k hits (or nothing is left).
        int m = k;
        while (true) {
          long[] keys = coarse.linear().topByHamming(q, qo, Math.min(m, Math.max(1, live)),
              blocked);
          List<Hit> hits = assembler.byHamming(keys, qf, k, cap);
          if (hits.size() >= k || m >= live) {
            int radius = keys.length == 0 ? 0 : LongHeap.distanceBits(keys[keys.length - 1]);
            return new SearchResult(hits, CoarseStrategy.LINEAR_SCAN, radius, keys.length, 0,
                live);
          }
          m = (int) Math.min((long) m * 4, live);
        }
      }
      default -> {
        int m = req.minPoolSize();
        while (true) {
          CoarseStage.Pool pool = coarse.pool(q, qo, req.hammingRadius(), Math.min(m, live),
              blocked, firstPass);
          firstPass = null;
          long[] keys = fine.rerank(qf, pool.candidates(), cap == Integer.MAX_VALUE ? k
              : pool.candidates().size);
          List<Hit> hits = assembler.byFeatures(keys, q, qo, k, cap);
          if (hits.size() >= k || pool.candidates().size >= live) {
            return new SearchResult(hits, pool.strategy(), pool.radius(),
                pool.candidates().size, pool.candidates().size, live);
          }
          m = (int) Math.min((long) m * 4, live);
        }
      }
    }
  }

  // ---------------------------------------------------------------- below the request level

  /**
   * The ordinals of all live codes within {@code radius} of a packed query code, ascending, found
   * with the given strategy ({@link CoarseStrategy#NONE} lets the cost model choose). Both
   * strategies return exactly the same set.
   */
  public int[] radiusSearch(long[] query, int radius, CoarseStrategy strategy) {
    checkCode(query);
    if (radius < 0) {
      throw new IllegalArgumentException("radius must be >= 0, got " + radius);
    }
    refreshTables();
    return underReadLock(() -> coarse.radiusSearch(query, radius, strategy,
        tombstones.isEmpty() ? null : tombstones));
  }

  /** The {@code m} live codes nearest a packed query code by Hamming distance, ties by ordinal. */
  public int[] topByHamming(long[] query, int m) {
    checkCode(query);
    if (m < 1) {
      throw new IllegalArgumentException("m must be >= 1, got " + m);
    }
    return underReadLock(() -> {
      long[] keys = coarse.linear().topByHamming(query, 0, m,
          tombstones.isEmpty() ? null : tombstones);
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
    return underReadLock(() -> count == 0 ? 0.0
        : (double) (codes.ramBytesUsed() + features.ramBytesUsed() + coarse.ramBytesUsed())
            / count);
  }

  /** Total bytes held, hot arrays plus slice references, filter bitmaps and tombstones. */
  public long ramBytesUsed() {
    return underReadLock(() -> codes.ramBytesUsed() + features.ramBytesUsed()
        + coarse.ramBytesUsed() + slices.ramBytesUsed() + tombstones.getLongSizeInBytes());
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
    lock.readLock().lock();
    try {
      ensureOpen();
      IndexFile.write(file, this, codes, features, slices, tombstones, count);
    } finally {
      lock.readLock().unlock();
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

  private void checkCode(long[] query) {
    if (query == null || query.length != words) {
      throw new IllegalArgumentException("query code must have " + words + " words for " + bits
          + " bits, got " + (query == null ? "null" : query.length));
    }
  }

  private void checkEmbedding(Embedding e, String what) {
    if (e == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    if (e.bits() != bits) {
      throw new IllegalArgumentException(
          what + " has a " + e.bits() + "-bit code; this index holds " + bits + "-bit codes");
    }
    if (e.fc1Dimension() != dim) {
      throw new IllegalArgumentException(what + " has " + e.fc1Dimension()
          + " FC1 features; this index holds " + dim);
    }
    if (!e.modelFingerprint().equals(fingerprint)) {
      throw new IllegalArgumentException(what + " comes from model " + e.modelFingerprint()
          + "; this index was built with model " + fingerprint);
    }
  }

  @Override
  public String toString() {
    return "HammingRetrievalIndex[" + count + " slices, " + bits + " bits, " + dim + "-d FC1]";
  }
}
