package org.cbmir.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.LungMask;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;
import org.cbmir.api.preprocessing.ModelInput;
import org.cbmir.data.NpyReader;

/**
 * The paper's retrieval evaluation on an exported dataset (see {@code DatasetExporter}): every
 * training-split slice is indexed, every test-split slice (other patients) is a query, and a hit
 * is relevant when it has the query's class. Rankings by FC1 (exhaustive), by the hash code H
 * (Hamming), by FC3 class probabilities, and coarse to fine.
 *
 * <p>Reported: precision@10 and mAP@10 of coarse-to-fine, per class (the paper's Table 3) and
 * overall; exhaustive-FC1 mAP@10 for comparison; the fraction of the index scored in the fine
 * stage; precision-recall curves over the whole ranking for the four methods (the paper's Fig. 8).
 * Masks are the exported threshold masks, which the U-Net reproduces with Dice 0.986.
 *
 * <p>Thread-safety: not thread-safe; one evaluation at a time.
 */
public final class Evaluation {
  /** The paper's per-class mAP (its Table 3), for comparison. */
  static final double[] PAPER_MAP = {0.846, 0.775, 0.765, 0.738, 0.767, 0.657, 0.521, 0.520};
  static final int K = 10;

  /** The figures written to {@code summary.json}. Thread-safety: immutable once returned. */
  public record Summary(double precisionAt10, double[] mapPerClass, double map,
      double exhaustiveFc1Map, double hammingMap, double fc3Map, double fineStageFraction,
      int queries, int indexed) {}

  private Evaluation() {}

  /** Runs the evaluation and writes {@code summary.json} and {@code pr.png} to {@code out}. */
  public static Summary run(Path dataset, Encoder encoder, Path out) throws IOException {
    List<Embedding> train = encode(dataset, "train", encoder);
    List<Embedding> test = encode(dataset, "test", encoder);
    long[] yTrain = NpyReader.read(dataset.resolve("train_labels.npy")).longs();
    long[] yTest = NpyReader.read(dataset.resolve("test_labels.npy")).longs();
    int n = train.size();
    // Coarse pool: from radius 0, widened to 5% of the index (at least k), so that the fine stage
    // scores a small fraction.
    int m = Math.max(K, n / 20);
    double[] apC2f = new double[test.size()];
    double[] apFc1 = new double[test.size()];
    double[] apHam = new double[test.size()];
    double[] apFc3 = new double[test.size()];
    double p10 = 0;
    double fine = 0;
    int curve = 200;
    double[][] pr = new double[4][2 * curve];
    try (RetrievalIndex index = RetrievalIndexes.create(IndexConfig.builder().matching(encoder)
        .expectedSlices(n).build())) {
      for (int i = 0; i < n; i++) {
        index.add(SliceRef.builder().patientId("train").seriesUid("train").sliceIndex(i)
            .noduleClass(NoduleClass.ofLabel((int) yTrain[i])).build(), train.get(i));
      }
      for (int q = 0; q < test.size(); q++) {
        Embedding e = test.get(q);
        int cls = (int) yTest[q];
        SearchResult c2f = index.search(e, SearchRequest.builder().k(K).hammingRadius(0)
            .minPoolSize(m).build());
        fine += c2f.fineStageFraction();
        apC2f[q] = averagePrecision(labels(c2f.hits(), yTrain), cls, count(yTrain, cls));
        p10 += precision(labels(c2f.hits(), yTrain), cls);
        int[][] rankings = {
          rank(c2f, index, e, n),
          ordinals(index.search(e, SearchRequest.builder().k(n)
              .mode(SearchMode.EXHAUSTIVE_FC1).build()).hits()),
          ordinals(index.search(e, SearchRequest.builder().k(n)
              .mode(SearchMode.HAMMING).build()).hits()),
          rankByProbabilities(e, train)};
        apFc1[q] = averagePrecision(take(rankings[1], yTrain), cls, count(yTrain, cls));
        apHam[q] = averagePrecision(take(rankings[2], yTrain), cls, count(yTrain, cls));
        apFc3[q] = averagePrecision(take(rankings[3], yTrain), cls, count(yTrain, cls));
        for (int r = 0; r < 4; r++) {
          addCurve(pr[r], rankings[r], yTrain, cls, curve);
        }
      }
    }
    double[] perClass = new double[NoduleClass.COUNT];
    for (int c = 0; c < perClass.length; c++) {
      double sum = 0;
      int k = 0;
      for (int q = 0; q < test.size(); q++) {
        if (yTest[q] == c) {
          sum += apC2f[q];
          k++;
        }
      }
      perClass[c] = k == 0 ? Double.NaN : sum / k;
    }
    Summary s = new Summary(p10 / test.size(), perClass, mean(apC2f), mean(apFc1), mean(apHam),
        mean(apFc3), fine / test.size(), test.size(), n);
    Files.createDirectories(out);
    Files.writeString(out.resolve("summary.json"), json(s));
    plot(pr, test.size(), out.resolve("pr.png"));
    return s;
  }

  private static List<Embedding> encode(Path dataset, String split, Encoder encoder)
      throws IOException {
    NpyReader images = NpyReader.read(dataset.resolve(split + "_images.npy"));
    NpyReader masks = NpyReader.read(dataset.resolve(split + "_masks.npy"));
    int count = (int) images.shape()[0];
    int size = (int) Math.round(Math.sqrt(images.recordSize()));
    double spacing = ModelInput.DEFAULT.spacingMm();
    List<Embedding> out = new ArrayList<>(count);
    for (int b = 0; b < count; b += 16) {
      List<CtSlice> slices = new ArrayList<>();
      List<LungMask> lung = new ArrayList<>();
      for (int i = b; i < Math.min(count, b + 16); i++) {
        slices.add(CtSlice.builder().size(size, size).hu(images.floats(i))
            .pixelSpacingMm(spacing, spacing).build());
        byte[] mb = masks.bytes(i);
        boolean[] m = new boolean[mb.length];
        for (int p = 0; p < m.length; p++) {
          m[p] = mb[p] != 0;
        }
        lung.add(LungMask.of(size, size, m));
      }
      out.addAll(encoder.encodeAll(slices, lung));
    }
    return out;
  }

  /** The coarse-to-fine ranking: the pool by FC1, then everything else by Hamming distance. */
  private static int[] rank(SearchResult c2f, RetrievalIndex index, Embedding e, int n) {
    int[] fineOrder = ordinals(index.search(e, SearchRequest.builder().k(c2f.poolSize())
        .hammingRadius(c2f.radiusUsed()).minPoolSize(c2f.poolSize()).build()).hits());
    boolean[] seen = new boolean[n];
    int[] out = new int[n];
    int w = 0;
    for (int o : fineOrder) {
      out[w++] = o;
      seen[o] = true;
    }
    for (int o : ordinals(index.search(e, SearchRequest.builder().k(n).mode(SearchMode.HAMMING)
        .build()).hits())) {
      if (!seen[o]) {
        out[w++] = o;
      }
    }
    return out;
  }

  private static int[] rankByProbabilities(Embedding q, List<Embedding> db) {
    float[] p = q.classProbabilities();
    Integer[] order = new Integer[db.size()];
    double[] d = new double[db.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
      float[] o = db.get(i).classProbabilities();
      for (int c = 0; c < p.length; c++) {
        d[i] += (p[c] - o[c]) * (p[c] - o[c]);
      }
    }
    Arrays.sort(order, (a, b) -> d[a] != d[b] ? Double.compare(d[a], d[b]) : a - b);
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  private static int[] ordinals(List<Hit> hits) {
    return hits.stream().mapToInt(Hit::ordinal).toArray();
  }

  private static long[] labels(List<Hit> hits, long[] y) {
    return hits.stream().mapToLong(h -> y[h.ordinal()]).toArray();
  }

  private static long[] take(int[] ranking, long[] y) {
    long[] out = new long[Math.min(K, ranking.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = y[ranking[i]];
    }
    return out;
  }

  private static int count(long[] y, int cls) {
    int n = 0;
    for (long v : y) {
      n += v == cls ? 1 : 0;
    }
    return n;
  }

  /** AP@k: precision at each relevant rank, over min(relevant in the database, k). */
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

  private static double precision(long[] ranked, int cls) {
    int hits = 0;
    for (long v : ranked) {
      hits += v == cls ? 1 : 0;
    }
    return ranked.length == 0 ? 0 : (double) hits / ranked.length;
  }

  /** Adds the query's precision at recall levels 1/curve .. 1 (interpolated). */
  private static void addCurve(double[] acc, int[] ranking, long[] y, int cls, int curve) {
    int relevant = count(y, cls);
    if (relevant == 0) {
      return;
    }
    double[] best = new double[curve];
    int hits = 0;
    for (int i = 0; i < ranking.length; i++) {
      if (y[ranking[i]] == cls) {
        hits++;
        double recall = (double) hits / relevant;
        double precision = (double) hits / (i + 1);
        int bin = Math.min(curve - 1, (int) Math.ceil(recall * curve) - 1);
        for (int b = 0; b <= bin; b++) {
          best[b] = Math.max(best[b], precision);
        }
      }
    }
    for (int b = 0; b < curve; b++) {
      acc[b] += best[b];
      acc[curve + b] += 1;
    }
  }

  private static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }

  static String json(Summary s) {
    StringBuilder b = new StringBuilder("{\n");
    b.append(String.format(Locale.ROOT, "  \"precisionAt10\": %.4f,%n", s.precisionAt10()));
    b.append("  \"mapPerClass\": [");
    for (int c = 0; c < s.mapPerClass().length; c++) {
      double v = s.mapPerClass()[c];
      b.append(c == 0 ? "" : ", ").append(Double.isNaN(v) ? "null"
          : String.format(Locale.ROOT, "%.4f", v));
    }
    b.append("],\n");
    b.append("  \"paperMapPerClass\": ").append(Arrays.toString(PAPER_MAP)).append(",\n");
    b.append(String.format(Locale.ROOT, "  \"map\": %.4f,%n", s.map()));
    b.append(String.format(Locale.ROOT, "  \"exhaustiveFc1Map\": %.4f,%n", s.exhaustiveFc1Map()));
    b.append(String.format(Locale.ROOT, "  \"hammingMap\": %.4f,%n", s.hammingMap()));
    b.append(String.format(Locale.ROOT, "  \"fc3Map\": %.4f,%n", s.fc3Map()));
    b.append(String.format(Locale.ROOT, "  \"fineStageFraction\": %.4f,%n",
        s.fineStageFraction()));
    b.append(String.format(Locale.ROOT, "  \"k\": %d,%n  \"queries\": %d,%n  \"indexed\": %d%n",
        K, s.queries(), s.indexed()));
    return b.append("}\n").toString();
  }

  private static void plot(double[][] pr, int queries, Path png) throws IOException {
    int w = 640;
    int h = 480;
    int left = 70;
    int bottom = 60;
    int top = 40;
    int right = 170;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int pw = w - left - right;
    int ph = h - top - bottom;
    g.setColor(Color.LIGHT_GRAY);
    for (int t = 0; t <= 10; t++) {
      g.drawLine(left + pw * t / 10, top, left + pw * t / 10, top + ph);
      g.drawLine(left, top + ph * t / 10, left + pw, top + ph * t / 10);
    }
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawRect(left, top, pw, ph);
    for (int t = 0; t <= 10; t += 2) {
      String v = String.format(Locale.ROOT, "%.1f", t / 10.0);
      g.drawString(v, left + pw * t / 10 - 8, top + ph + 16);
      g.drawString(v, left - 28, top + ph - ph * t / 10 + 4);
    }
    g.drawString("recall", left + pw / 2 - 15, h - 20);
    g.drawString("precision", 8, top - 12);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString("Precision-recall, " + queries + " held-out queries", left, 24);
    String[] names = {"coarse-to-fine", "FC1", "H (Hamming)", "FC3"};
    Color[] colors = {new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c),
        new Color(0x9467bd)};
    g.setStroke(new BasicStroke(2f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int r = 0; r < 4; r++) {
      int curve = pr[r].length / 2;
      g.setColor(colors[r]);
      int px = -1;
      int py = -1;
      for (int b = 0; b < curve; b++) {
        double n = pr[r][curve + b];
        double p = n == 0 ? 0 : pr[r][b] / n;
        int x = left + (int) Math.round(pw * (b + 1.0) / curve);
        int y = top + ph - (int) Math.round(ph * p);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.drawLine(w - right + 15, top + 20 + 22 * r, w - right + 45, top + 20 + 22 * r);
      g.setColor(Color.BLACK);
      g.drawString(names[r], w - right + 52, top + 24 + 22 * r);
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}
