package org.cbmir.data.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The metrics on rankings small enough to compute by hand. */
class RetrievalMetricsTest {
  @Test
  void averagePrecisionAtK() {
    // Relevant at ranks 1 and 3 of 4; 2 relevant in the database: (1/1 + 2/3) / 2.
    assertEquals(
        (1 + 2.0 / 3) / 2, RetrievalMetrics.averagePrecision(new long[] {5, 1, 5, 2}, 5, 2), 1e-12);
    // More relevant in the database than ranks: normalised by the ranks (AP@k).
    assertEquals(
        (1 + 2.0 / 3) / 4,
        RetrievalMetrics.averagePrecision(new long[] {5, 1, 5, 2}, 5, 100),
        1e-12);
    assertEquals(0, RetrievalMetrics.averagePrecision(new long[] {1, 2}, 5, 0));
    assertEquals(0.5, RetrievalMetrics.precision(new long[] {3, 3, 1, 0}, 3), 1e-12);
  }

  @Test
  void majorityTiesGoToTheBetterRankedClass() {
    assertEquals(4, RetrievalMetrics.majority(new long[] {4, 2, 2, 4, 1}, 8));
    assertEquals(2, RetrievalMetrics.majority(new long[] {2, 4, 4, 2}, 8));
    assertEquals(1, RetrievalMetrics.majority(new long[] {0, 1, 1}, 8));
  }

  @Test
  void precisionRecallCurveInterpolates() {
    RetrievalMetrics.PrCurve c = new RetrievalMetrics.PrCurve(2);
    // Database classes by ordinal; ranking puts the two relevant ones at ranks 1 and 3.
    long[] y = {7, 0, 7, 0};
    c.add(new int[] {0, 1, 2, 3}, y, 7);
    // Recall 1/2 at precision 1, recall 1 at precision 2/3.
    assertArrayEquals(new double[] {1, 2.0 / 3}, c.precision(), 1e-12);
    // Relevant at ranks 3 and 4: precision 1/3 at recall 1/2 and 1/2 at recall 1; interpolated
    // (the best precision at this recall or beyond), the first bin takes 1/2 too.
    c.add(new int[] {1, 3, 0, 2}, y, 7);
    assertArrayEquals(new double[] {(1 + 0.5) / 2, (2.0 / 3 + 0.5) / 2}, c.precision(), 1e-12);
  }
}
