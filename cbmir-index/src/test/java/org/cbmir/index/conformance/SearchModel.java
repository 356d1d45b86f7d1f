package org.cbmir.index.conformance;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SliceRef;

/**
 * The search semantics of {@code docs/SEARCH.md}, computed by brute force over plain arrays: the
 * reference every {@link org.cbmir.api.RetrievalIndex} implementation is checked against. Slow and
 * obvious on purpose; FC1 distances in double precision.
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class SearchModel {
  /** What the model expects: hit ordinals in order, their FC1 distances, the radius and pool. */
  public record Expected(int[] ordinals, double[] fc1Distances, int radius, int poolSize) {}

  private final int bits;
  private final List<long[]> codes = new ArrayList<>();
  private final List<float[]> features = new ArrayList<>();
  private final List<SliceRef> refs = new ArrayList<>();

  public SearchModel(int bits) {
    this.bits = bits;
  }

  /** Adds a slice; its ordinal is the number added before it. */
  public void add(SliceRef ref, long[] code, float[] fc1) {
    refs.add(ref);
    codes.add(code.clone());
    features.add(fc1.clone());
  }

  public int size() {
    return codes.size();
  }

  public long[] code(int ord) {
    return codes.get(ord);
  }

  public float[] features(int ord) {
    return features.get(ord);
  }

  public SliceRef ref(int ord) {
    return refs.get(ord);
  }

  public static int hamming(long[] a, long[] b) {
    int d = 0;
    for (int i = 0; i < a.length; i++) {
      d += Long.bitCount(a[i] ^ b[i]);
    }
    return d;
  }

  public static double fc1Distance(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double t = (double) a[i] - b[i];
      s += t * t;
    }
    return Math.sqrt(s);
  }

  /** Live slices that pass the request's filters, ascending by ordinal. */
  List<Integer> allowed(SearchRequest req, Set<Integer> removed) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < codes.size(); i++) {
      SliceRef r = refs.get(i);
      if (removed.contains(i)
          || req.excludedPatients().contains(r.patientId())
          || req.excludedSeries().contains(r.seriesUid())
          || (!req.allowedClasses().isEmpty() && !req.allowedClasses().contains(r.noduleClass()))) {
        continue;
      }
      out.add(i);
    }
    return out;
  }

  /** The expected result of {@code req} for the query, with {@code removed} ordinals removed. */
  public Expected search(long[] q, float[] qf, SearchRequest req, Set<Integer> removed) {
    List<Integer> allowed = allowed(req, removed);
    int live = allowed.size();
    Comparator<Integer> byFc1 =
        Comparator.<Integer>comparingDouble(i -> fc1Distance(features.get(i), qf))
            .thenComparingInt(i -> i);
    if (req.mode() == SearchMode.EXHAUSTIVE_FC1) {
      List<Integer> ranked = allowed.stream().sorted(byFc1).toList();
      return expected(cap(ranked, req), qf, -1, live);
    }
    if (req.mode() == SearchMode.HAMMING) {
      Comparator<Integer> byHamming =
          Comparator.<Integer>comparingInt(i -> hamming(codes.get(i), q)).thenComparingInt(i -> i);
      List<Integer> ranked = allowed.stream().sorted(byHamming).toList();
      int m = req.k();
      while (true) {
        List<Integer> top = ranked.subList(0, Math.min(Math.min(m, Math.max(1, live)), live));
        List<Integer> hits = cap(top, req);
        if (hits.size() >= req.k() || m >= live) {
          int radius = top.isEmpty() ? 0 : hamming(codes.get(top.get(top.size() - 1)), q);
          return expected(hits, qf, radius, top.size());
        }
        m = (int) Math.min((long) m * 4, live);
      }
    }
    int m = req.minPoolSize();
    while (true) {
      int target = Math.min(m, live);
      int radius = Math.min(req.hammingRadius(), bits);
      while (radius < bits) {
        final int r = radius;
        if (allowed.stream().filter(i -> hamming(codes.get(i), q) <= r).count() >= target) {
          break;
        }
        radius++;
      }
      final int r = radius;
      List<Integer> pool =
          allowed.stream().filter(i -> hamming(codes.get(i), q) <= r).sorted(byFc1).toList();
      List<Integer> hits = cap(pool, req);
      if (hits.size() >= req.k() || pool.size() >= live) {
        return expected(hits, qf, r, pool.size());
      }
      m = (int) Math.min((long) m * 4, live);
    }
  }

  /** The first k of a ranking, at most maxHitsPerPatient per patient, in rank order. */
  private List<Integer> cap(List<Integer> ranked, SearchRequest req) {
    List<Integer> out = new ArrayList<>();
    Map<String, Integer> perPatient = new HashMap<>();
    for (int i : ranked) {
      if (out.size() >= req.k()) {
        break;
      }
      if (perPatient.merge(refs.get(i).patientId(), 1, Integer::sum) <= req.maxHitsPerPatient()) {
        out.add(i);
      }
    }
    return out;
  }

  private Expected expected(List<Integer> hits, float[] qf, int radius, int pool) {
    return new Expected(
        hits.stream().mapToInt(Integer::intValue).toArray(),
        hits.stream().mapToDouble(i -> fc1Distance(features.get(i), qf)).toArray(),
        radius,
        pool);
  }
}
