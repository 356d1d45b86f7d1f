package org.cbmir.index;

import java.util.Arrays;

/**
 * Multi-index hashing (Norouzi, Punjani and Fleet, "Fast Search in Hamming Space with Multi-Index
 * Hashing", CVPR 2012) over the codes {@code [0, size)} of an index.
 *
 * <p>Each code is cut into {@code m} substrings; table {@code t} maps the value of substring {@code
 * t} to the ordinals that have it. By the pigeonhole principle a code within distance {@code r} of
 * the query has at least one substring within {@code floor(r / m)} of the query's, so probing every
 * bucket within that many bit flips in each table and verifying the full distance finds exactly the
 * codes within {@code r}.
 *
 * <p>Buckets are stored as one sorted {@code int[]} of ordinals per table with an offsets array
 * (compressed sparse rows), not as one {@code RoaringBitmap} per bucket as the brief first
 * suggested: with {@code 2^s ≈ n} buckets most hold a handful of ordinals scattered over the whole
 * ordinal range, where a RoaringBitmap pays an object and a container per ordinal against 3 bytes
 * here (see {@code MultiIndexHashingTest#roaringBucketsWouldCostMore} for the measurement).
 * RoaringBitmap stays where it is strong: the dense filter bitmaps.
 *
 * <p>Candidates are deduplicated without a visited set: a code is accepted only in the probe that
 * finds it first (lowest level, then lowest table), which the verifier recomputes from the
 * substring distances.
 *
 * <p>Thread-safety: immutable after construction; searches may run concurrently.
 */
final class MultiIndexHashing {
  /** Widest substring: 2^24 buckets cost 64 MiB of offsets per table. */
  static final int MAX_SUBSTRING_BITS = 24;

  final int bits;
  final int words;
  final int size;
  final int tables;
  private final int[] start;
  private final int[] length;
  private final int[][] offsets;

  /** Low 16 bits of each bucket entry's ordinal, per table. */
  private final char[][] ordinalLow;

  /** High bits: one byte per entry while ordinals fit in 24 bits, else a char. */
  private final byte[][] ordinalHigh8;

  private final char[][] ordinalHigh16;

  private MultiIndexHashing(int bits, int words, int size, int tables) {
    this.bits = bits;
    this.words = words;
    this.size = size;
    this.tables = tables;
    this.start = new int[tables];
    this.length = new int[tables];
    this.offsets = new int[tables][];
    this.ordinalLow = new char[tables][];
    this.ordinalHigh8 = new byte[tables][];
    this.ordinalHigh16 = new char[tables][];
    int base = bits / tables;
    int extra = bits % tables;
    int s = 0;
    for (int t = 0; t < tables; t++) {
      start[t] = s;
      length[t] = base + (t < extra ? 1 : 0);
      s += length[t];
    }
  }

  /**
   * The number of tables for {@code n} codes of {@code bits} bits: substrings of at most floor(log2
   * n) bits, close to the log2(n) that Norouzi et al. recommend, so that a table's offsets array
   * never holds more entries than the table holds ordinals (it costs at most 4 bytes a code), and
   * never wider than {@link #MAX_SUBSTRING_BITS}.
   */
  static int tablesFor(int bits, int n) {
    int width =
        Math.max(
            1, Math.min(MAX_SUBSTRING_BITS, 31 - Integer.numberOfLeadingZeros(Math.max(2, n))));
    return Math.min(bits, (bits + width - 1) / width);
  }

  /** Builds the tables over codes {@code [0, n)} of a store with a counting sort per table. */
  static MultiIndexHashing build(CodeStore codes, int n) {
    int bits = codes.bits();
    MultiIndexHashing mih = new MultiIndexHashing(bits, codes.words(), n, tablesFor(bits, n));
    for (int t = 0; t < mih.tables; t++) {
      int len = mih.length[t];
      int st = mih.start[t];
      int[] off = new int[(1 << len) + 1];
      for (int i = 0; i < n; i++) {
        off[codes.substring(i, st, len) + 1]++;
      }
      for (int k = 1; k < off.length; k++) {
        off[k] += off[k - 1];
      }
      int[] fill = Arrays.copyOf(off, off.length - 1);
      // Ordinals are stored in 3 bytes while they fit in 24 bits (16.7M codes): with four tables
      // that saves 4 bytes a slice, the difference between meeting the memory goal or not.
      char[] low = new char[n];
      byte[] high8 = n <= (1 << 24) ? new byte[n] : null;
      char[] high16 = high8 == null ? new char[n] : null;
      for (int i = 0; i < n; i++) {
        int p = fill[codes.substring(i, st, len)]++;
        low[p] = (char) i;
        if (high8 != null) {
          high8[p] = (byte) (i >>> 16);
        } else {
          high16[p] = (char) (i >>> 16);
        }
      }
      mih.offsets[t] = off;
      mih.ordinalLow[t] = low;
      mih.ordinalHigh8[t] = high8;
      mih.ordinalHigh16[t] = high16;
    }
    return mih;
  }

  /** Bits {@code [st, st + len)} of the code at {@code codes[base]}, {@code len <= 32}. */
  static int substring(long[] codes, int base, int st, int len) {
    int w = st >>> 6;
    int o = st & 63;
    long v = codes[base + w] >>> o;
    if (o + len > 64) {
      v |= codes[base + w + 1] << (64 - o);
    }
    return (int) (v & ((1L << len) - 1));
  }

  /** The pigeonhole level needed for radius {@code r}: every code within r is found by then. */
  int levelFor(int r) {
    return r / tables;
  }

  /** The largest radius fully covered once levels {@code 0..level} have been probed. */
  int radiusCovered(int level) {
    return (int) Math.min(bits, (long) tables * (level + 1) - 1);
  }

  /** Whether a level exists: a substring can differ in at most its own length of bits. */
  boolean hasLevel(int level) {
    for (int t = 0; t < tables; t++) {
      if (level <= length[t]) {
        return true;
      }
    }
    return false;
  }

  /**
   * Estimated nanoseconds to probe one level: the probes themselves plus the exact number of
   * ordinals in the probed buckets (read from the offsets, which costs one probe each).
   */
  double levelCostNanos(long[] query, int qo, int level, double probeNs, double candidateNs) {
    long probes = 0;
    for (int t = 0; t < tables; t++) {
      probes += binomial(length[t], level);
    }
    if (probes * probeNs > 4e9) {
      return Double.POSITIVE_INFINITY;
    }
    long candidates = 0;
    for (int t = 0; t < tables; t++) {
      int len = length[t];
      if (level > len) {
        continue;
      }
      int key = substring(query, qo, start[t], len);
      int[] off = offsets[t];
      for (long flips = (1L << level) - 1; flips < (1L << len); flips = nextCombination(flips)) {
        int k = key ^ (int) flips;
        candidates += off[k + 1] - off[k];
        if (level == 0) {
          break;
        }
      }
    }
    return probes * probeNs + candidates * candidateNs;
  }

  /**
   * Probes every bucket at exactly {@code level} flips in every table and adds each code found for
   * the first time (see the class comment), with its exact distance, unless it is blocked.
   */
  void probeLevel(
      CodeStore codes, long[] query, int qo, int level, Blocked blocked, Candidates out) {
    boolean all = blocked.isEmpty();
    for (int t = 0; t < tables; t++) {
      int len = length[t];
      if (level > len) {
        continue;
      }
      int key = substring(query, qo, start[t], len);
      int[] off = offsets[t];
      char[] low = ordinalLow[t];
      byte[] high8 = ordinalHigh8[t];
      char[] high16 = ordinalHigh16[t];
      for (long flips = (1L << level) - 1; flips < (1L << len); flips = nextCombination(flips)) {
        int k = key ^ (int) flips;
        for (int p = off[k], end = off[k + 1]; p < end; p++) {
          int ord = low[p] | (high8 != null ? (high8[p] & 0xff) : high16[p]) << 16;
          if (isFirstFind(codes, ord, query, qo, t, level) && (all || !blocked.contains(ord))) {
            out.add(ord, codes.distance(ord, query, qo));
          }
        }
        if (level == 0) {
          break;
        }
      }
    }
  }

  /** True when no earlier table finds the code at this level and no table at a lower one. */
  private boolean isFirstFind(
      CodeStore codes, int ord, long[] query, int qo, int table, int level) {
    for (int u = 0; u < tables; u++) {
      if (u == table) {
        continue;
      }
      int d =
          Integer.bitCount(
              codes.substring(ord, start[u], length[u])
                  ^ substring(query, qo, start[u], length[u]));
      if (d < level || (d == level && u < table)) {
        return false;
      }
    }
    return true;
  }

  /** Gosper's hack: the next larger integer with the same number of set bits. */
  private static long nextCombination(long x) {
    if (x == 0) {
      return Long.MAX_VALUE;
    }
    long c = x & -x;
    long r = x + c;
    return (((r ^ x) >>> 2) / c) | r;
  }

  private static long binomial(int n, int k) {
    if (k < 0 || k > n) {
      return 0;
    }
    long r = 1;
    for (int i = 1; i <= k; i++) {
      r = r * (n - k + i) / i;
    }
    return r;
  }

  long ramBytesUsed() {
    long b = 0;
    for (int t = 0; t < tables; t++) {
      b +=
          4L * offsets[t].length
              + 2L * ordinalLow[t].length
              + (ordinalHigh8[t] != null ? ordinalHigh8[t].length : 2L * ordinalHigh16[t].length);
    }
    return b;
  }
}
