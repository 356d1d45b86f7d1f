package org.cbmir.index;

/**
 * The linear side of the coarse stage: SIMD radius scans over a {@link CodeStore} in blocks that
 * stay in cache, a shared pass for a batch of queries, the Hamming top-m with ties by ordinal, and
 * the sampled radius estimate that the widening rule starts from.
 *
 * <p>Thread-safety: stateless apart from the store it reads; safe for concurrent searches.
 */
final class LinearScan {
  /** Codes scanned per block: 16 Ki codes of 64 bits fill 128 KiB, well inside L2. */
  static final int SCAN_BLOCK = 16384;

  /**
   * Each thread's block buffers (ordinals and distances, 64 KiB each), reused by every scan that
   * thread makes instead of allocated per scan: a searcher thread owns them, as in jvector.
   */
  private static final ThreadLocal<int[][]> SCRATCH =
      ThreadLocal.withInitial(() -> new int[][] {new int[SCAN_BLOCK], new int[SCAN_BLOCK]});

  private final CodeStore codes;

  LinearScan(CodeStore codes) {
    this.codes = codes;
  }

  /** Linear radius scan over {@code [from, to)}, blocked ordinals dropped. */
  Candidates scan(long[] q, int qo, int r, Blocked blocked, int from, int to) {
    Candidates c = new Candidates(256);
    int[][] scratch = SCRATCH.get();
    int[] ords = scratch[0];
    int[] dists = scratch[1];
    for (int b = from; b < to; b += SCAN_BLOCK) {
      int e = Math.min(to, b + SCAN_BLOCK);
      int n = codes.radiusScan(b, e, q, qo, r, ords, dists);
      collect(ords, dists, n, blocked, c);
    }
    return c;
  }

  /** Adds the codes of {@code [from, size)} with a distance in {@code (above, upTo]} to out. */
  void scanBand(long[] q, int qo, int from, int above, int upTo, Blocked blocked, Candidates out) {
    int count = codes.size();
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

  private static void collect(int[] ords, int[] dists, int n, Blocked blocked, Candidates c) {
    boolean all = blocked.isEmpty();
    for (int j = 0; j < n; j++) {
      if (all || !blocked.contains(ords[j])) {
        c.add(ords[j], dists[j]);
      }
    }
  }

  /**
   * One pass over the codes for the queries flagged in {@code wants}: each block is scanned for
   * every such query while it is in cache. Entries of queries not flagged stay null.
   */
  Candidates[] sharedScan(
      long[] qcodes, boolean[] wants, int r, Blocked blocked, int initialCapacity) {
    int words = codes.words();
    int nq = wants.length;
    int count = codes.size();
    Candidates[] out = new Candidates[nq];
    int[][] scratch = SCRATCH.get();
    int[] ords = scratch[0];
    int[] dists = scratch[1];
    for (int i = 0; i < nq; i++) {
      if (wants[i]) {
        out[i] = new Candidates(initialCapacity);
      }
    }
    for (int b = 0; b < count; b += SCAN_BLOCK) {
      int e = Math.min(count, b + SCAN_BLOCK);
      for (int i = 0; i < nq; i++) {
        if (wants[i]) {
          int n = codes.radiusScan(b, e, qcodes, i * words, r, ords, dists);
          collect(ords, dists, n, blocked, out[i]);
        }
      }
    }
    return out;
  }

  /**
   * The radius expected to hold about twice {@code target} codes, from the distances of up to 4096
   * codes spread evenly over the index; at least {@code r}.
   */
  int estimateRadius(long[] q, int qo, int r, int target) {
    int count = codes.size();
    int bits = codes.bits();
    int sample = Math.min(count, 4096);
    if (sample == 0) {
      return bits;
    }
    int[] hist = new int[bits + 1];
    long stride = Math.max(1, count / sample);
    for (long i = 0; i < count && sample > 0; i += stride) {
      hist[codes.distance((int) i, q, qo)]++;
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

  /** The {@code m} unblocked codes nearest the query, as sorted (distance, ordinal) keys. */
  long[] topByHamming(long[] q, int qo, int m, Blocked blocked) {
    int count = codes.size();
    int bits = codes.bits();
    // Start from the radius a sample says holds about 2m codes, so that the first blocks do not
    // push every code through the heap; widen and redo in the rare case it held fewer than m.
    int cap = estimateRadius(q, qo, 0, m);
    boolean all = blocked.isEmpty();
    while (true) {
      LongHeap heap = new LongHeap(m);
      int[][] scratch = SCRATCH.get();
      int[] ords = scratch[0];
      int[] dists = scratch[1];
      for (int b = 0; b < count; b += SCAN_BLOCK) {
        int e = Math.min(count, b + SCAN_BLOCK);
        // A later ordinal at the current worst distance loses the tie: only closer codes matter.
        int radius = heap.isFull() ? Math.min(cap, LongHeap.distanceBits(heap.top()) - 1) : cap;
        if (radius < 0) {
          break;
        }
        int n = codes.radiusScan(b, e, q, qo, radius, ords, dists);
        for (int j = 0; j < n; j++) {
          if (all || !blocked.contains(ords[j])) {
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
}
