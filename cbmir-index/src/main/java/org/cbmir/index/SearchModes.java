package org.cbmir.index;

import java.util.List;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.Hit;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;

/**
 * The three search modes of {@code docs/SEARCH.md} composed from the stages: coarse-to-fine (pool,
 * rerank, and the per-patient cap's widening), exhaustive FC1 and Hamming ranking.
 *
 * <p>Thread-safety: stateless apart from the parts it reads; safe for concurrent searches under the
 * index's read lock.
 */
final class SearchModes {
  private final CoarseStage coarse;
  private final FineStage fine;
  private final HitAssembler assembler;

  SearchModes(CoarseStage coarse, FineStage fine, HitAssembler assembler) {
    this.coarse = coarse;
    this.fine = fine;
    this.assembler = assembler;
  }

  /**
   * One query in the request's mode; {@code live} is the number of eligible slices, {@code count}
   * the ordinals in use, {@code firstPass} the query's share of a batch scan or null.
   */
  SearchResult search(
      long[] q,
      int qo,
      float[] qf,
      SearchRequest req,
      Blocked blocked,
      int live,
      int count,
      Candidates firstPass) {
    int k = req.k();
    int cap = req.maxHitsPerPatient();
    switch (req.mode()) {
      case EXHAUSTIVE_FC1 -> {
        // Never keep more than there is: k comes from the caller and may be huge.
        long[] keys =
            fine.exhaustive(
                qf, blocked, Math.min(cap == Integer.MAX_VALUE ? k : live, live), count);
        return new SearchResult(
            assembler.byFeatures(keys, q, qo, k, cap), CoarseStrategy.NONE, -1, live, live, live);
      }
      case HAMMING -> {
        // Widen m until the per-patient cap leaves k hits (or nothing is left).
        int m = k;
        while (true) {
          long[] keys =
              coarse.linear().topByHamming(q, qo, Math.min(m, Math.max(1, live)), blocked);
          List<Hit> hits = assembler.byHamming(keys, qf, k, cap);
          if (hits.size() >= k || m >= live) {
            int radius = keys.length == 0 ? 0 : LongHeap.distanceBits(keys[keys.length - 1]);
            return new SearchResult(hits, CoarseStrategy.LINEAR_SCAN, radius, keys.length, 0, live);
          }
          m = (int) Math.min((long) m * 4, live);
        }
      }
      default -> {
        int m = req.minPoolSize();
        while (true) {
          CoarseStage.Pool pool =
              coarse.pool(q, qo, req.hammingRadius(), Math.min(m, live), blocked, firstPass);
          firstPass = null;
          long[] keys =
              fine.rerank(
                  qf, pool.candidates(), cap == Integer.MAX_VALUE ? k : pool.candidates().size);
          List<Hit> hits = assembler.byFeatures(keys, q, qo, k, cap);
          if (hits.size() >= k || pool.candidates().size >= live) {
            return new SearchResult(
                hits,
                pool.strategy(),
                pool.radius(),
                pool.candidates().size,
                pool.candidates().size,
                live);
          }
          m = (int) Math.min((long) m * 4, live);
        }
      }
    }
  }
}
