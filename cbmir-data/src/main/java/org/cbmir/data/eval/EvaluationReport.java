package org.cbmir.data.eval;

import java.util.Arrays;
import java.util.Locale;

/**
 * Writes an {@link Evaluation.Summary} as {@code summary.json}: one object per protocol ({@code
 * real} first: the headline), each with precisionAt10, mapPerClass[8] (null where the protocol has
 * no query of that class), queriesPerClass[8], map, exhaustiveFc1Map, hammingMap, fc3Map,
 * fineStageFraction, nodules, majorityClassRight, majorityWithinOneClass; then the paper's figures.
 *
 * <p>Thread-safety: stateless.
 */
public final class EvaluationReport {
  private EvaluationReport() {}

  /** The summary as JSON (see the class comment). */
  public static String json(Evaluation.Summary s) {
    StringBuilder b = new StringBuilder("{\n");
    protocol(b, "real", s.real());
    b.append(",\n");
    protocol(b, "transplanted", s.transplanted());
    b.append(",\n");
    protocol(b, "paperProtocol", s.paper());
    b.append(",\n  \"mapByFeatureStorage\": {");
    String sep = "";
    for (var e : s.storageMap().entrySet()) {
      b.append(sep)
          .append("\"")
          .append(e.getKey())
          .append("\": {\"real\": ")
          .append(number(e.getValue()[0]))
          .append(", \"transplanted\": ")
          .append(number(e.getValue()[1]))
          .append("}");
      sep = ", ";
    }
    b.append("}");
    b.append(",\n  \"k\": ").append(Evaluation.K).append(",\n");
    b.append("  \"paperMapPerClass\": ")
        .append(Arrays.toString(Evaluation.PAPER_MAP))
        .append(",\n  \"paperPrecision\": 0.73\n}\n");
    return b.toString();
  }

  private static void protocol(StringBuilder b, String name, Evaluation.Result r) {
    b.append("  \"").append(name).append("\": {\n");
    b.append("    \"description\": \"").append(r.protocol()).append("\",\n");
    b.append("    \"queries\": ").append(r.queries()).append(",\n");
    b.append("    \"indexed\": ").append(r.indexed()).append(",\n");
    b.append("    \"queriesPerClass\": ")
        .append(Arrays.toString(r.queriesPerClass()))
        .append(",\n");
    field(b, "precisionAt10", r.precisionAt10());
    b.append("    \"mapPerClass\": [");
    for (int c = 0; c < r.mapPerClass().length; c++) {
      b.append(c == 0 ? "" : ", ").append(number(r.mapPerClass()[c]));
    }
    b.append("],\n");
    field(b, "map", r.map());
    field(b, "exhaustiveFc1Map", r.exhaustiveFc1Map());
    field(b, "hammingMap", r.hammingMap());
    field(b, "fc3Map", r.fc3Map());
    field(b, "fineStageFraction", r.fineStageFraction());
    b.append("    \"nodules\": ").append(r.nodules()).append(",\n");
    field(b, "majorityClassRight", r.majorityRight());
    b.append("    \"majorityWithinOneClass\": ")
        .append(number(r.majorityWithinOne()))
        .append("\n  }");
  }

  private static void field(StringBuilder b, String name, double v) {
    b.append("    \"").append(name).append("\": ").append(number(v)).append(",\n");
  }

  static String number(double v) {
    return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** A few lines for a terminal: the headline first, then the other protocols. */
  public static String text(Evaluation.Summary s) {
    StringBuilder b = new StringBuilder();
    for (Evaluation.Result r : new Evaluation.Result[] {s.real(), s.transplanted(), s.paper()}) {
      b.append(
          String.format(
              Locale.ROOT,
              "%s (%d queries, %d indexed):%n",
              r.protocol(),
              r.queries(),
              r.indexed()));
      b.append(
          String.format(
              Locale.ROOT,
              "  precision@10 %.2f  mAP@10 %.2f (exhaustive FC1 %.2f,"
                  + " Hamming %.2f, FC3 %.2f)  fine stage scored %.1f%% of the index%n",
              r.precisionAt10(),
              r.map(),
              r.exhaustiveFc1Map(),
              r.hammingMap(),
              r.fc3Map(),
              100 * r.fineStageFraction()));
      b.append("  mAP@10 per class (queries):");
      for (int c = 0; c < r.mapPerClass().length; c++) {
        b.append(' ')
            .append(
                Double.isNaN(r.mapPerClass()[c])
                    ? "-"
                    : String.format(Locale.ROOT, "%.2f", r.mapPerClass()[c]))
            .append('(')
            .append(r.queriesPerClass()[c])
            .append(')');
      }
      b.append(String.format(Locale.ROOT, "%n"));
      if (r.nodules() > 0) {
        b.append(
            String.format(
                Locale.ROOT,
                "  %d nodules: top-10 majority class right %.0f%%," + " within one class %.0f%%%n",
                r.nodules(),
                100 * r.majorityRight(),
                100 * r.majorityWithinOne()));
      }
    }
    b.append("coarse-to-fine mAP@10 by feature storage (real slices / transplanted nodules):");
    s.storageMap()
        .forEach(
            (fs, m) -> b.append(String.format(Locale.ROOT, " %s %.3f / %.3f;", fs, m[0], m[1])));
    b.append(String.format(Locale.ROOT, "%n"));
    b.append("paper (Table 3, random split of slices) per-class mAP: ")
        .append(Arrays.toString(Evaluation.PAPER_MAP))
        .append(String.format(Locale.ROOT, "%n"));
    return b.toString();
  }
}
