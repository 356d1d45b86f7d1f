package org.cbmir.data.eval;

/**
 * The retrieval metrics of the paper's evaluation, on ranked class labels: precision@k, average
 * precision at k (the paper's mAP@k), the class the top k mostly have, and precision-recall curves
 * over a whole ranking. Relevance is "same class as the query".
 *
 * <p>Thread-safety: stateless, except {@link PrCurve}, which is not thread-safe.
 */
final class RetrievalMetrics {
  private RetrievalMetrics() {}

  /** AP@k: the precision at each relevant rank, over min(relevant in the database, k). */
  static double averagePrecision(long[] ranked, int cls, int relevantInDb) {
    double sum = 0;
    int hits = 0;
    for (int i = 0; i < ranked.length; i++) {
      if (ranked[i] == cls) {
        hits++;
        sum += (double) hits / (i + 1);
      }
    }
    int denom = Math.min(relevantInDb, ranked.length);
    return denom == 0 ? 0 : sum / denom;
  }

  /** The fraction of {@code ranked} that has class {@code cls}. */
  static double precision(long[] ranked, int cls) {
    int hits = 0;
    for (long v : ranked) {
      hits += v == cls ? 1 : 0;
    }
    return ranked.length == 0 ? 0 : (double) hits / ranked.length;
  }

  /** The most frequent class of {@code ranked}; ties go to the better-ranked class. */
  static int majority(long[] ranked, int classes) {
    int[] count = new int[classes];
    int best = -1;
    for (long v : ranked) {
      count[(int) v]++;
    }
    for (long v : ranked) {
      if (best < 0 || count[(int) v] > count[best]) {
        best = (int) v;
      }
    }
    return best;
  }

  /** How many entries of {@code y} have class {@code cls}. */
  static int count(long[] y, int cls) {
    int n = 0;
    for (long v : y) {
      n += v == cls ? 1 : 0;
    }
    return n;
  }

  /** Mean interpolated precision at recall levels 1/bins .. 1 over many queries. */
  static final class PrCurve {
    private final double[] sum;
    private int queries;

    PrCurve(int bins) {
      sum = new double[bins];
    }

    /** Adds one query's ranking of the whole database. */
    void add(int[] ranking, long[] y, int cls) {
      int relevant = count(y, cls);
      if (relevant == 0) {
        return;
      }
      double[] best = new double[sum.length];
      int hits = 0;
      for (int i = 0; i < ranking.length; i++) {
        if (y[ranking[i]] == cls) {
          hits++;
          double recall = (double) hits / relevant;
          int bin = Math.min(sum.length - 1, (int) Math.ceil(recall * sum.length) - 1);
          double p = (double) hits / (i + 1);
          for (int b = 0; b <= bin; b++) {
            best[b] = Math.max(best[b], p);
          }
        }
      }
      for (int b = 0; b < sum.length; b++) {
        sum[b] += best[b];
      }
      queries++;
    }

    /** Precision per recall bin, averaged over the queries added. */
    double[] precision() {
      double[] out = new double[sum.length];
      for (int b = 0; b < out.length; b++) {
        out[b] = queries == 0 ? 0 : sum[b] / queries;
      }
      return out;
    }
  }
}
