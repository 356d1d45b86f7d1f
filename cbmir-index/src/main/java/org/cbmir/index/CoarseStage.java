package org.cbmir.index;

import java.util.Arrays;
import org.cbmir.api.CoarseStrategy;

/**
 * The coarse stage: the pool of codes within a Hamming radius, widened to the smallest radius that
 * holds enough slices, found by multi-index hashing or by the linear scan, whichever a cost model
 * expects to be cheaper for this query (see {@code docs/SEARCH.md} for the exact rule). Both paths
 * return exactly the same pool.
 *
 * <p>The multi-index tables cover the codes that existed when they were built; codes added since
 * (the unhashed tail) are scanned. The tables are rebuilt when the tail exceeds 1/{@value
 * #MAX_UNHASHED_FRACTION_INVERSE} of the index.
 *
 * <p>Thread-safety: searches run concurrently; {@link #rebuildTables} must run under the index's
 * write lock, searches under its read lock.
 */
final class CoarseStage {
  /** Below this many codes a scan always wins and no tables are built. */
  static final int MIH_MIN_CODES = 4096;

  /** Tables are rebuilt when more than 1/16 of the codes are not in them. */
  static final int MAX_UNHASHED_FRACTION_INVERSE = 16;

  // Cost model, in nanoseconds, set by hand from the benchmark figures (RESULTS.md: a scan costs
  // about 0.2 ns per code word; a probe and a verified candidate are cache misses). Only the ratio
  // matters: it decides between MIH and the scan.
  private static final double SCAN_NS_PER_WORD = 0.25;
  private static final double PROBE_NS = 12;
  private static final double CANDIDATE_NS = 6;

  /** A coarse pool and how it was formed. Thread-safety: not thread-safe (one per search). */
  record Pool(Candidates candidates, CoarseStrategy strategy, int radius) {}

  private final CodeStore codes;
  private final LinearScan scan;
  private volatile MultiIndexHashing mih;

  CoarseStage(CodeStore codes) {
    this.codes = codes;
    this.scan = new LinearScan(codes);
  }

  LinearScan linear() {
    return scan;
  }

  private double scanNanos() {
    return (double) codes.size() * codes.words() * SCAN_NS_PER_WORD;
  }

  /**
   * All unblocked codes within radius {@code r}, widened to the smallest radius that holds at least
   * {@code target} of them (or everything, when the index has fewer).
   *
   * <p>First the pool at {@code r}, by multi-index hashing when its estimated cost is below one
   * linear scan's. If that pool is too small, the radius that holds about twice the target is
   * estimated from a sample of the codes, and the pool is widened to it by whichever of the two is
   * cheaper at that radius; a scan that still falls short widens and scans again.
   *
   * @param firstPass the query's scan at {@code r} from a shared batch pass, or null
   */
  Pool pool(long[] q, int qo, int r, int target, Blocked blocked, Candidates firstPass) {
    int bits = codes.bits();
    r = Math.min(r, bits);
    MultiIndexHashing tables = mih;
    double scanNs = scanNanos();
    if (firstPass == null && tables != null) {
      int level = tables.levelFor(r);
      if (mihCost(tables, q, qo, level, scanNs) < scanNs) {
        Pool p = mihPool(tables, q, qo, r, level, target, blocked, scanNs);
        return p != null
            ? p
            : scanWiden(q, qo, r, scan.estimateRadius(q, qo, r, target), target, blocked);
      }
    }
    Candidates c = firstPass != null ? firstPass : scan.scan(q, qo, r, blocked, 0, codes.size());
    if (c.size >= target || r >= bits) {
      return new Pool(c, CoarseStrategy.LINEAR_SCAN, r);
    }
    int estimate = scan.estimateRadius(q, qo, r, target);
    if (tables != null) {
      int level = tables.levelFor(estimate);
      if (mihCost(tables, q, qo, level, scanNs) < scanNs) {
        Pool p = mihPool(tables, q, qo, r, level, target, blocked, scanNs);
        if (p != null) {
          return p;
        }
      }
    }
    return scanWiden(q, qo, r, estimate, target, blocked);
  }

  /**
   * The pool from multi-index levels {@code 0..level} plus the unhashed tail, widened by {@link
   * #mihWiden}; {@code null} when widening would cost more than a scan.
   */
  private Pool mihPool(
      MultiIndexHashing tables,
      long[] q,
      int qo,
      int r,
      int level,
      int target,
      Blocked blocked,
      double scanNs) {
    Candidates c = new Candidates(Math.max(64, target));
    for (int l = 0; l <= level; l++) {
      tables.probeLevel(codes, q, qo, l, blocked, c);
    }
    int covered = Math.max(r, tables.radiusCovered(level));
    scan.scanBand(q, qo, tables.size, -1, covered, blocked, c);
    return mihWiden(tables, q, qo, r, level, covered, target, blocked, c, scanNs);
  }

  /** Estimated nanoseconds to probe levels {@code 0..to}, stopping early past {@code cap}. */
  private static double mihCost(MultiIndexHashing tables, long[] q, int qo, int to, double cap) {
    double cost = 0;
    for (int l = 0; l <= to && cost < cap && tables.hasLevel(l); l++) {
      cost += tables.levelCostNanos(q, qo, l, PROBE_NS, CANDIDATE_NS);
    }
    return cost;
  }

  /**
   * Cuts the MIH pool at the smallest radius holding {@code target}, probing further levels while
   * that costs less than a scan; {@code null} when it would not.
   */
  private Pool mihWiden(
      MultiIndexHashing tables,
      long[] q,
      int qo,
      int r,
      int level,
      int covered,
      int target,
      Blocked blocked,
      Candidates c,
      double scanNs) {
    int bits = codes.bits();
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
      scan.scanBand(q, qo, tables.size, covered, next, blocked, c);
      covered = next;
    }
  }

  /** Scans at radius {@code start} and wider until the pool holds {@code target}. */
  private Pool scanWiden(long[] q, int qo, int r, int start, int target, Blocked blocked) {
    int bits = codes.bits();
    int radius = Math.max(r, start);
    while (true) {
      Candidates c = scan.scan(q, qo, radius, blocked, 0, codes.size());
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

  /**
   * The first pass of a batch: one shared scan at radius {@code r} for the queries whose coarse
   * stage would scan rather than probe; null when fewer than two would.
   */
  Candidates[] sharedScan(long[] qcodes, int nq, int r, Blocked blocked, int minPool) {
    MultiIndexHashing tables = mih;
    int words = codes.words();
    boolean[] wants = new boolean[nq];
    int wanted = 0;
    double scanNs = scanNanos();
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
    return wanted < 2 ? null : scan.sharedScan(qcodes, wants, r, blocked, Math.min(minPool, 4096));
  }

  /**
   * The ordinals of all unblocked codes within {@code radius}, ascending, by the given strategy
   * ({@link CoarseStrategy#AUTO}: the cost model chooses).
   */
  int[] radiusSearch(long[] query, int radius, CoarseStrategy strategy, Blocked blocked) {
    MultiIndexHashing tables = mih;
    boolean useMih =
        switch (strategy) {
          case MULTI_INDEX_HASHING -> tables != null;
          case LINEAR_SCAN -> false;
          case NONE ->
              throw new IllegalArgumentException(
                  "strategy NONE forms no pool; valid choices: MULTI_INDEX_HASHING, LINEAR_SCAN,"
                      + " AUTO");
          case AUTO ->
              tables != null
                  && mihCost(
                          tables,
                          query,
                          0,
                          tables.levelFor(Math.min(radius, codes.bits())),
                          Double.POSITIVE_INFINITY)
                      < scanNanos();
        };
    Candidates c;
    if (useMih) {
      c = new Candidates(256);
      int level = tables.levelFor(Math.min(radius, codes.bits()));
      for (int l = 0; l <= level; l++) {
        tables.probeLevel(codes, query, 0, l, blocked, c);
      }
      scan.scanBand(query, 0, tables.size, -1, radius, blocked, c);
      c.retainWithin(radius);
    } else {
      c = scan.scan(query, 0, radius, blocked, 0, codes.size());
    }
    int[] out = Arrays.copyOf(c.ordinals, c.size);
    Arrays.sort(out);
    return out;
  }

  /** Whether the tables are missing or cover too few of the codes. */
  boolean tablesStale() {
    int n = codes.size();
    if (n < MIH_MIN_CODES) {
      return false;
    }
    MultiIndexHashing t = mih;
    return t == null
        || n - t.size > Math.max(MIH_MIN_CODES, t.size / MAX_UNHASHED_FRACTION_INVERSE);
  }

  /** Rebuilds the tables over every code; call under the index's write lock. */
  void rebuildTables() {
    mih = MultiIndexHashing.build(codes, codes.size());
  }

  /** Number of tables in use, 0 without tables. */
  int tables() {
    MultiIndexHashing t = mih;
    return t == null ? 0 : t.tables;
  }

  long ramBytesUsed() {
    MultiIndexHashing t = mih;
    return t == null ? 0 : t.ramBytesUsed();
  }

  void release() {
    mih = null;
  }
}
