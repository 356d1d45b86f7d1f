package org.cbmir.index;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;
import org.cbmir.index.kernels.Kernels;
import org.roaringbitmap.RoaringBitmap;

/**
 * The in-memory {@link RetrievalIndex}: codes packed in one flat {@code long[]}, FC1 features in
 * flat {@code float[]} pages, multi-index hashing or a SIMD linear scan for the coarse stage (chosen
 * per query by estimated cost), and a SIMD reranker for the fine stage. Obtain it through {@link
 * org.cbmir.api.RetrievalIndexes}; the extra methods here serve tools and benchmarks that work below
 * the request level.
 *
 * <p>Thread-safety: thread-safe. Searches run concurrently under a read lock; adds and removes take
 * the write lock briefly. Multi-index tables are rebuilt lazily, by the first search that finds
 * more than one code in {@value #MAX_UNHASHED_FRACTION_INVERSE} outside them.
 */
public final class HammingRetrievalIndex implements RetrievalIndex {
  /** Codes scanned per block: 16 Ki codes of 64 bits fill 128 KiB, well inside L2. */
  static final int SCAN_BLOCK = 16384;
  /** Below this many codes a scan always wins and no tables are built. */
  static final int MIH_MIN_CODES = 4096;
  /** Tables are rebuilt when more than 1/16 of the codes are not in them. */
  static final int MAX_UNHASHED_FRACTION_INVERSE = 16;

  // Cost model of the coarse stage, in nanoseconds, set by hand from the benchmark figures
  // (RESULTS.md: a scan costs about 0.2 ns per code word; a probe and a verified candidate are
  // cache misses). Only the ratio matters: it decides between MIH and the scan.
  private static final double SCAN_NS_PER_WORD = 0.25;
  private static final double PROBE_NS = 12;
  private static final double CANDIDATE_NS = 6;

  /** 1024 rows a page: growth allocates at most one page (1 MiB at D = 256) ahead. */
  private static final int PAGE_SHIFT = 10;
  private static final int PAGE_ROWS = 1 << PAGE_SHIFT;
  private static final int PAGE_MASK = PAGE_ROWS - 1;

  private final int bits;
  private final int words;
  private final int dim;
  private final String fingerprint;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  private long[] codes;
  private float[][] pages;
  private int count;
  private final SliceTable slices;
  private final RoaringBitmap tombstones = new RoaringBitmap();
  private volatile MultiIndexHashing mih;
  private volatile boolean closed;

  HammingRetrievalIndex(IndexConfig config) {
    this.bits = config.bits();
    this.words = Embedding.wordsFor(bits);
    this.dim = config.featureDimension();
    this.fingerprint = config.modelFingerprint();
    int cap = Math.max(16, config.expectedSlices());
    this.codes = new long[Math.multiplyExact(cap, words)];
    this.pages = new float[0][];
    this.slices = new SliceTable(cap);
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
      appendCode(embedding);
      embedding.copyFc1Into(rowPage(ord), rowOffset(ord));
      slices.add(ref);
      count = ord + 1;
      return ord;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void appendCode(Embedding e) {
    if ((long) (count + 1) * words > codes.length) {
      long want = (long) ArraysSupport.grow(count) * words;
      if (want > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("index is full: " + count + " codes of " + bits + " bits");
      }
      codes = Arrays.copyOf(codes, (int) want);
    }
    e.copyCodeInto(codes, count * words);
  }

  /** The page that holds row {@code ord}, allocating it when the row is the first of its page. */
  private float[] rowPage(int ord) {
    int p = ord >>> PAGE_SHIFT;
    if (p >= pages.length) {
      pages = Arrays.copyOf(pages, Math.max(p + 1, pages.length * 2));
    }
    if (pages[p] == null) {
      pages[p] = new float[PAGE_ROWS * dim];
    }
    return pages[p];
  }

  private int rowOffset(int ord) {
    return (ord & PAGE_MASK) * dim;
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
  private <T> T underReadLock(java.util.function.Supplier<T> read) {
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
    lock.readLock().lock();
    try {
      ensureOpen();
      int nq = queries.size();
      long[] qcodes = new long[nq * words];
      for (int i = 0; i < nq; i++) {
        queries.get(i).copyCodeInto(qcodes, i * words);
      }
      RoaringBitmap blocked = slices.blocked(request, tombstones);
      int live = count - (blocked == null ? 0 : blocked.getCardinality());
      Candidates[] firstPass = null;
      if (request.mode() == SearchMode.COARSE_TO_FINE && nq > 1) {
        firstPass = sharedScan(qcodes, nq, request.hammingRadius(), blocked, live, request);
      }
      List<SearchResult> out = new ArrayList<>(nq);
      float[] qf = new float[dim];
      for (int i = 0; i < nq; i++) {
        queries.get(i).copyFc1Into(qf, 0);
        out.add(searchOne(qcodes, i * words, qf, request, blocked, live,
            firstPass == null ? null : firstPass[i]));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  private SearchResult searchOne(long[] q, int qo, float[] qf, SearchRequest req,
      RoaringBitmap blocked, int live, Candidates firstPass) {
    int k = req.k();
    int cap = req.maxHitsPerPatient();
    switch (req.mode()) {
      case EXHAUSTIVE_FC1 -> {
        long[] keys = exhaustiveFc1(qf, blocked, cap == Integer.MAX_VALUE ? k : live);
        return new SearchResult(hits(keys, q, qo, k, cap), CoarseStrategy.NONE, -1, live, live,
            live);
      }
      case HAMMING -> {
        int m = k;
        while (true) {
          long[] keys = topByHamming(q, qo, Math.min(m, Math.max(1, live)), blocked);
          List<Hit> hits = hammingHits(keys, q, qo, qf, k, cap);
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
          Pool pool = coarsePool(q, qo, req.hammingRadius(), Math.min(m, live), blocked,
              firstPass);
          firstPass = null;
          long[] keys = rerank(qf, pool.candidates, cap == Integer.MAX_VALUE ? k
              : pool.candidates.size);
          List<Hit> hits = hits(keys, q, qo, k, cap);
          if (hits.size() >= k || pool.candidates.size >= live) {
            return new SearchResult(hits, pool.strategy, pool.radius, pool.candidates.size,
                pool.candidates.size, live);
          }
          m = (int) Math.min((long) m * 4, live);
        }
      }
    }
  }

  /** The coarse pool and how it was formed. */
  private record Pool(Candidates candidates, CoarseStrategy strategy, int radius) {}

  /**
   * All live, unblocked codes within radius {@code r}, widened to the smallest radius that holds at
   * least {@code target} of them (or everything, when the index has fewer).
   *
   * <p>First the pool at {@code r}, by multi-index hashing when its estimated cost is below one
   * linear scan's. If that pool is too small, the radius that holds about twice the target is
   * estimated from a sample of the codes, and the pool is widened to it by whichever of the two is
   * cheaper at that radius; a scan that still falls short widens and scans again.
   */
  private Pool coarsePool(long[] q, int qo, int r, int target, RoaringBitmap blocked,
      Candidates firstPass) {
    r = Math.min(r, bits);
    MultiIndexHashing tables = mih;
    double scanNs = (double) count * words * SCAN_NS_PER_WORD;
    if (firstPass == null && tables != null) {
      int level = tables.levelFor(r);
      if (mihCost(tables, q, qo, 0, level, scanNs) < scanNs) {
        Pool p = mihPool(tables, q, qo, r, level, target, blocked, scanNs);
        return p != null ? p
            : scanWiden(q, qo, r, estimateRadius(q, qo, r, target), target, blocked);
      }
    }
    Candidates c = firstPass != null ? firstPass : scan(q, qo, r, blocked, 0, count);
    if (c.size >= target || r >= bits) {
      return new Pool(c, CoarseStrategy.LINEAR_SCAN, r);
    }
    int estimate = estimateRadius(q, qo, r, target);
    if (tables != null) {
      int level = tables.levelFor(estimate);
      if (mihCost(tables, q, qo, 0, level, scanNs) < scanNs) {
        Pool p = mihPool(tables, q, qo, r, level, target, blocked, scanNs);
        if (p != null) {
          return p;
        }
      }
    }
    return scanWiden(q, qo, r, estimate, target, blocked);
  }

  /**
   * The pool from multi-index levels {@code 0..level} plus the unhashed tail, widened by
   * {@link #mihWiden}; {@code null} when widening would cost more than a scan.
   */
  private Pool mihPool(MultiIndexHashing tables, long[] q, int qo, int r, int level, int target,
      RoaringBitmap blocked, double scanNs) {
    Candidates c = new Candidates(Math.max(64, target));
    for (int l = 0; l <= level; l++) {
      tables.probeLevel(codes, q, qo, l, blocked, c);
    }
    int covered = Math.max(r, tables.radiusCovered(level));
    scanBand(q, qo, tables.size, -1, covered, blocked, c);
    return mihWiden(tables, q, qo, r, level, covered, target, blocked, c, scanNs);
  }

  /** Estimated nanoseconds to probe levels {@code from..to}, stopping early past {@code cap}. */
  private static double mihCost(MultiIndexHashing tables, long[] q, int qo, int from, int to,
      double cap) {
    double cost = 0;
    for (int l = from; l <= to && cost < cap && tables.hasLevel(l); l++) {
      cost += tables.levelCostNanos(q, qo, l, PROBE_NS, CANDIDATE_NS);
    }
    return cost;
  }

  /**
   * Cuts the MIH pool at the smallest radius holding {@code target}, probing further levels while
   * that costs less than a scan; {@code null} when it would not.
   */
  private Pool mihWiden(MultiIndexHashing tables, long[] q, int qo, int r, int level, int covered,
      int target, RoaringBitmap blocked, Candidates c, double scanNs) {
    double spent = 0;
    while (true) {
      int rr = c.radiusHolding(target, r, covered);
      if (rr >= 0) {
        c.retainWithin(rr);
        return new Pool(c, CoarseStrategy.MULTI_INDEX_HASHING, rr);
      }
      if (covered >= bits) {
        return new Pool(c, CoarseStrategy.MULTI_INDEX_HASHING, bits);
      }
      level++;
      spent += tables.levelCostNanos(q, qo, level, PROBE_NS, CANDIDATE_NS);
      if (spent > scanNs) {
        return null;
      }
      tables.probeLevel(codes, q, qo, level, blocked, c);
      int next = Math.max(covered, tables.radiusCovered(level));
      scanBand(q, qo, tables.size, covered, next, blocked, c);
      covered = next;
    }
  }

  /**
   * The radius expected to hold about twice {@code target} codes, from the distances of up to 4096
   * codes spread evenly over the index; at least {@code r}.
   */
  private int estimateRadius(long[] q, int qo, int r, int target) {
    int sample = Math.min(count, 4096);
    if (sample == 0) {
      return bits;
    }
    int[] hist = new int[bits + 1];
    long stride = Math.max(1, count / sample);
    for (long i = 0; i < count && sample > 0; i += stride) {
      hist[Kernels.implementation().distance(codes, words, (int) i, q, qo)]++;
    }
    double scale = (double) count / Math.max(1, Math.min(count, (count + stride - 1) / stride));
    double cum = 0;
    for (int d = 0; d <= bits; d++) {
      cum += hist[d] * scale;
      if (d >= r && cum >= 2.0 * target + 16) {
        return d;
      }
    }
    return bits;
  }

  /** Scans at radius {@code start} and wider until the pool holds {@code target}. */
  private Pool scanWiden(long[] q, int qo, int r, int start, int target, RoaringBitmap blocked) {
    int radius = Math.max(r, start);
    while (true) {
      Candidates c = scan(q, qo, radius, blocked, 0, count);
      int rr = c.radiusHolding(target, r, radius);
      if (rr >= 0) {
        c.retainWithin(rr);
        return new Pool(c, CoarseStrategy.LINEAR_SCAN, rr);
      }
      if (radius >= bits) {
        return new Pool(c, CoarseStrategy.LINEAR_SCAN, bits);
      }
      radius = Math.min(bits, radius + Math.max(2, (radius - r) / 2));
    }
  }

  /** Adds the unhashed tail's codes with distance in {@code (above, upTo]}. */
  private void scanBand(long[] q, int qo, int from, int above, int upTo, RoaringBitmap blocked,
      Candidates out) {
    if (from >= count) {
      return;
    }
    Candidates tail = scan(q, qo, upTo, blocked, from, count);
    for (int i = 0; i < tail.size; i++) {
      if (tail.distances[i] > above) {
        out.add(tail.ordinals[i], tail.distances[i]);
      }
    }
  }

  /** Linear radius scan over {@code [from, to)}, blocked ordinals dropped. */
  private Candidates scan(long[] q, int qo, int r, RoaringBitmap blocked, int from, int to) {
    Candidates c = new Candidates(256);
    int[] ords = new int[SCAN_BLOCK];
    int[] dists = new int[SCAN_BLOCK];
    for (int b = from; b < to; b += SCAN_BLOCK) {
      int e = Math.min(to, b + SCAN_BLOCK);
      int n = Kernels.radiusScan(codes, words, b, e, q, qo, r, ords, dists);
      collect(ords, dists, n, blocked, c);
    }
    return c;
  }

  private static void collect(int[] ords, int[] dists, int n, RoaringBitmap blocked,
      Candidates c) {
    for (int j = 0; j < n; j++) {
      if (blocked == null || !blocked.contains(ords[j])) {
        c.add(ords[j], dists[j]);
      }
    }
  }

  /**
   * One pass over the codes for a batch of queries: each block is scanned for every query while it
   * is in cache. Only queries whose coarse stage will scan use the result.
   */
  private Candidates[] sharedScan(long[] qcodes, int nq, int r, RoaringBitmap blocked, int live,
      SearchRequest req) {
    MultiIndexHashing tables = mih;
    boolean[] wants = new boolean[nq];
    int wanted = 0;
    double scanNs = (double) count * words * SCAN_NS_PER_WORD;
    for (int i = 0; i < nq; i++) {
      double cost = Double.POSITIVE_INFINITY;
      if (tables != null) {
        cost = 0;
        for (int l = 0; l <= tables.levelFor(r) && cost < scanNs; l++) {
          cost += tables.levelCostNanos(qcodes, i * words, l, PROBE_NS, CANDIDATE_NS);
        }
      }
      wants[i] = cost >= scanNs;
      wanted += wants[i] ? 1 : 0;
    }
    if (wanted < 2) {
      return null;
    }
    Candidates[] out = new Candidates[nq];
    int[] ords = new int[SCAN_BLOCK];
    int[] dists = new int[SCAN_BLOCK];
    for (int i = 0; i < nq; i++) {
      if (wants[i]) {
        out[i] = new Candidates(Math.min(req.minPoolSize(), 4096));
      }
    }
    for (int b = 0; b < count; b += SCAN_BLOCK) {
      int e = Math.min(count, b + SCAN_BLOCK);
      for (int i = 0; i < nq; i++) {
        if (wants[i]) {
          int n = Kernels.radiusScan(codes, words, b, e, qcodes, i * words, r, ords, dists);
          collect(ords, dists, n, blocked, out[i]);
        }
      }
    }
    return out;
  }

  private long[] topByHamming(long[] q, int qo, int m, RoaringBitmap blocked) {
    // Start from the radius a sample says holds about 2m codes, so that the first blocks do not
    // push every code through the heap; widen and redo in the rare case it held fewer than m.
    int cap = estimateRadius(q, qo, 0, m);
    while (true) {
      LongHeap heap = new LongHeap(m);
      int[] ords = new int[SCAN_BLOCK];
      int[] dists = new int[SCAN_BLOCK];
      for (int b = 0; b < count; b += SCAN_BLOCK) {
        int e = Math.min(count, b + SCAN_BLOCK);
        // A later ordinal at the current worst distance loses the tie: only closer codes matter.
        int radius = heap.isFull() ? Math.min(cap, LongHeap.distanceBits(heap.top()) - 1) : cap;
        if (radius < 0) {
          break;
        }
        int n = Kernels.radiusScan(codes, words, b, e, q, qo, radius, ords, dists);
        for (int j = 0; j < n; j++) {
          if (blocked == null || !blocked.contains(ords[j])) {
            heap.offer(LongHeap.key(dists[j], ords[j]));
          }
        }
      }
      if (heap.isFull() || cap >= bits) {
        return heap.toSortedArray();
      }
      cap = Math.min(bits, cap + Math.max(2, cap / 2));
    }
  }

  /** Fine stage: the {@code keep} candidates nearest by FC1, as sorted (distance, ordinal) keys. */
  private long[] rerank(float[] qf, Candidates c, int keep) {
    float[] d = new float[c.size];
    distances(qf, c.ordinals, c.size, d);
    if (keep >= c.size) {
      long[] keys = new long[c.size];
      for (int i = 0; i < c.size; i++) {
        keys[i] = LongHeap.key(Float.floatToRawIntBits(d[i]), c.ordinals[i]);
      }
      Arrays.sort(keys);
      return keys;
    }
    LongHeap heap = new LongHeap(keep);
    for (int i = 0; i < c.size; i++) {
      heap.offer(LongHeap.key(Float.floatToRawIntBits(d[i]), c.ordinals[i]));
    }
    return heap.toSortedArray();
  }

  private long[] exhaustiveFc1(float[] qf, RoaringBitmap blocked, int keep) {
    LongHeap heap = new LongHeap(Math.max(1, keep));
    int[] ords = new int[1024];
    float[] d = new float[1024];
    int n = 0;
    for (int ord = 0; ord <= count; ord++) {
      if (n == ords.length || (ord == count && n > 0)) {
        distances(qf, ords, n, d);
        for (int i = 0; i < n; i++) {
          heap.offer(LongHeap.key(Float.floatToRawIntBits(d[i]), ords[i]));
        }
        n = 0;
      }
      if (ord < count && (blocked == null || !blocked.contains(ord))) {
        ords[n++] = ord;
      }
    }
    return heap.toSortedArray();
  }

  /** Squared L2 from the query to each listed row. */
  private void distances(float[] qf, int[] ords, int n, float[] out) {
    for (int i = 0; i < n; i++) {
      out[i] = fc1Distance(qf, ords[i]);
    }
  }

  /** Squared L2 between the query and row {@code ord}; non-negative, so its bits sort as ints. */
  private float fc1Distance(float[] qf, int ord) {
    return Kernels.squareDistance(qf, 0, pages[ord >>> PAGE_SHIFT], rowOffset(ord), dim);
  }

  private List<Hit> hits(long[] keys, long[] q, int qo, int k, int cap) {
    List<Hit> hits = new ArrayList<>(Math.min(k, keys.length));
    Map<String, Integer> perPatient = cap == Integer.MAX_VALUE ? null : new HashMap<>();
    for (int i = 0; i < keys.length && hits.size() < k; i++) {
      int ord = LongHeap.ordinal(keys[i]);
      if (perPatient != null && perPatient.merge(slices.patientId(ord), 1, Integer::sum) > cap) {
        continue;
      }
      float d2 = Float.intBitsToFloat(LongHeap.distanceBits(keys[i]));
      int hd = Kernels.implementation().distance(codes, words, ord, q, qo);
      hits.add(new Hit(ord, slices.ref(ord), hd, (float) Math.sqrt(d2), hits.size() + 1));
    }
    return hits;
  }

  private List<Hit> hammingHits(long[] keys, long[] q, int qo, float[] qf, int k, int cap) {
    List<Hit> hits = new ArrayList<>(Math.min(k, keys.length));
    Map<String, Integer> perPatient = cap == Integer.MAX_VALUE ? null : new HashMap<>();
    for (int i = 0; i < keys.length && hits.size() < k; i++) {
      int ord = LongHeap.ordinal(keys[i]);
      if (perPatient != null && perPatient.merge(slices.patientId(ord), 1, Integer::sum) > cap) {
        continue;
      }
      float d = (float) Math.sqrt(fc1Distance(qf, ord));
      hits.add(new Hit(ord, slices.ref(ord), LongHeap.distanceBits(keys[i]), d, hits.size() + 1));
    }
    return hits;
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
    lock.readLock().lock();
    try {
      ensureOpen();
      RoaringBitmap blocked = tombstones.isEmpty() ? null : tombstones;
      Candidates c;
      MultiIndexHashing tables = mih;
      boolean useMih = switch (strategy) {
        case MULTI_INDEX_HASHING -> tables != null;
        case LINEAR_SCAN -> false;
        case NONE -> tables != null && mihCost(tables, query, radius)
            < (double) count * words * SCAN_NS_PER_WORD;
      };
      if (useMih) {
        c = new Candidates(256);
        int level = tables.levelFor(Math.min(radius, bits));
        for (int l = 0; l <= level; l++) {
          tables.probeLevel(codes, query, 0, l, blocked, c);
        }
        scanBand(query, 0, tables.size, -1, radius, blocked, c);
        c.retainWithin(radius);
      } else {
        c = scan(query, 0, radius, blocked, 0, count);
      }
      int[] out = Arrays.copyOf(c.ordinals, c.size);
      Arrays.sort(out);
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The {@code m} live codes nearest a packed query code by Hamming distance, ties by ordinal. */
  public int[] topByHamming(long[] query, int m) {
    checkCode(query);
    if (m < 1) {
      throw new IllegalArgumentException("m must be >= 1, got " + m);
    }
    lock.readLock().lock();
    try {
      ensureOpen();
      long[] keys = topByHamming(query, 0, m, tombstones.isEmpty() ? null : tombstones);
      int[] out = new int[keys.length];
      for (int i = 0; i < keys.length; i++) {
        out[i] = LongHeap.ordinal(keys[i]);
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  private double mihCost(MultiIndexHashing tables, long[] q, int radius) {
    double cost = 0;
    for (int l = 0; l <= tables.levelFor(Math.min(radius, bits)); l++) {
      cost += tables.levelCostNanos(q, 0, l, PROBE_NS, CANDIDATE_NS);
    }
    return cost;
  }

  /** Number of multi-index tables in use (0 when the index is too small to use them). */
  public int multiIndexTables() {
    refreshTables();
    MultiIndexHashing t = mih;
    return t == null ? 0 : t.tables;
  }

  /**
   * Bytes held by the hot arrays (codes, features, multi-index tables) per live ordinal, measured
   * from the arrays' lengths (capacity included).
   */
  public double hotBytesPerSlice() {
    lock.readLock().lock();
    try {
      long b = 8L * codes.length;
      for (float[] p : pages) {
        b += p == null ? 0 : 4L * p.length;
      }
      MultiIndexHashing t = mih;
      b += t == null ? 0 : t.ramBytesUsed();
      return count == 0 ? 0 : (double) b / count;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Total bytes held, hot arrays plus slice references, filter bitmaps and tombstones. */
  public long ramBytesUsed() {
    lock.readLock().lock();
    try {
      long b = 8L * codes.length;
      for (float[] p : pages) {
        b += p == null ? 0 : 4L * p.length;
      }
      MultiIndexHashing t = mih;
      b += t == null ? 0 : t.ramBytesUsed();
      return b + slices.ramBytesUsed() + tombstones.getLongSizeInBytes();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Rebuilds the multi-index tables when too many codes are outside them. */
  private void refreshTables() {
    if (!tablesStale()) {
      return;
    }
    lock.writeLock().lock();
    try {
      if (!closed && tablesStale()) {
        mih = MultiIndexHashing.build(codes, words, bits, count);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private boolean tablesStale() {
    int n = count;
    if (n < MIH_MIN_CODES) {
      return false;
    }
    MultiIndexHashing t = mih;
    return t == null || n - t.size > Math.max(MIH_MIN_CODES, t.size / MAX_UNHASHED_FRACTION_INVERSE);
  }

  // ---------------------------------------------------------------- persistence

  @Override
  public void save(Path file) throws IOException {
    lock.readLock().lock();
    try {
      ensureOpen();
      IndexFile.write(this, file);
    } finally {
      lock.readLock().unlock();
    }
  }

  // Package-private views for IndexFile; callers hold the lock.
  int words() {
    return words;
  }

  int count() {
    return count;
  }

  long[] codes() {
    return codes;
  }

  float[] page(int p) {
    return pages[p];
  }

  static int pageRows() {
    return PAGE_ROWS;
  }

  SliceTable slices() {
    return slices;
  }

  RoaringBitmap tombstones() {
    return tombstones;
  }

  /** Installs loaded columns into a fresh index; the loader has validated them. */
  void installLoaded(long[] loadedCodes, float[][] loadedPages, int n, RoaringBitmap removed) {
    this.codes = loadedCodes;
    this.pages = loadedPages;
    this.count = n;
    this.tombstones.or(removed);
  }

  // ---------------------------------------------------------------- checks

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
      codes = new long[0];
      pages = new float[0][];
      mih = null;
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
