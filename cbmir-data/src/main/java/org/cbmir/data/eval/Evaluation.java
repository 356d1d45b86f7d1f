package org.cbmir.data.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.FeatureStorage;
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
 * The retrieval evaluation on an exported dataset (see {@code DatasetExporter}), in three
 * protocols, each reported on its own:
 *
 * <ol>
 *   <li><b>real</b> (the headline): real slices of test patients as queries against an index of
 *       every training-split slice (training patients' real slices, and real nodule crops of
 *       training patients transplanted into their slices);
 *   <li><b>transplanted</b>: real nodules of test patients (crops of the 30% of LIDC-IDRI patients
 *       held out) transplanted into test patients' nodule-free slices, as queries against the same
 *       index: hundreds of real-nodule queries per class, which the four whole series cannot give;
 *   <li><b>paper</b>: the paper's own protocol for a like-for-like comparison with its Table 3: all
 *       slices of both splits pooled and split at random 70/30 by slice (seed 1), so that
 *       neighbouring slices of one nodule fall on both sides.
 * </ol>
 *
 * <p>A hit is relevant when it has the query's class. Per protocol: precision@10 and mAP@10 of
 * coarse-to-fine (Hamming pool from radius 0 widened to 5% of the index, FC1 rerank), per class and
 * overall; mAP@10 of exhaustive FC1, of Hamming ranking and of FC3 probabilities; the fraction of
 * the index the fine stage scored; per nodule (a real nodule's slices, or one transplanted crop),
 * whether the top 10 mostly have its class, and whether that class is within one step;
 * precision-recall curves over the whole ranking (the paper's Fig. 8). Masks are the exported
 * threshold masks, which the U-Net reproduces with Dice >= 0.98.
 *
 * <p>Thread-safety: not thread-safe; one evaluation at a time.
 */
public final class Evaluation {
  /** The paper's per-class mAP (its Table 3), for comparison in the reports. */
  static final double[] PAPER_MAP = {0.846, 0.775, 0.765, 0.738, 0.767, 0.657, 0.521, 0.520};

  /** Hits per query. */
  public static final int K = 10;

  static final int CURVE_BINS = 200;

  /** One exported record's provenance. Thread-safety: immutable. */
  public record Row(
      String split,
      String patient,
      String series,
      int slice,
      int cls,
      double diameterMm,
      String source,
      String nodule,
      double noduleCol,
      double noduleRow) {}

  /**
   * One protocol's figures; {@code pr} holds the four methods' precision per recall bin
   * (coarse-to-fine, FC1, H, FC3). Thread-safety: immutable by convention.
   */
  @SuppressWarnings("ArrayRecordComponent") // figures for a report, never compared
  public record Result(
      String protocol,
      int queries,
      int indexed,
      int[] queriesPerClass,
      double precisionAt10,
      double[] mapPerClass,
      double map,
      double exhaustiveFc1Map,
      double hammingMap,
      double fc3Map,
      double fineStageFraction,
      int nodules,
      double majorityRight,
      double majorityWithinOne,
      double[][] pr) {}

  /** The three protocols. Thread-safety: immutable by convention. */
  public record Summary(
      Result real, Result transplanted, Result paper, Map<FeatureStorage, double[]> storageMap) {}

  private Evaluation() {}

  /** Runs the evaluation and writes {@code summary.json} and {@code pr.png} to {@code out}. */
  public static Summary run(Path dataset, Encoder encoder, Path out) throws IOException {
    List<Row> rows = rows(dataset);
    List<Row> trainRows = rows.stream().filter(r -> r.split().equals("train")).toList();
    List<Row> testRows = rows.stream().filter(r -> r.split().equals("test")).toList();
    List<Embedding> train = encode(dataset, "train", encoder);
    List<Embedding> test = encode(dataset, "test", encoder);
    Result real =
        evaluate(
            "real slices of test patients",
            encoder,
            train,
            trainRows,
            test,
            testRows,
            r -> r.source().equals("real"));
    Result transplanted =
        evaluate(
            "real nodules of test patients transplanted into test slices",
            encoder,
            train,
            trainRows,
            test,
            testRows,
            r -> r.source().equals("transplanted"));
    // The paper's protocol: every slice pooled, split 70/30 by slice at random.
    List<Embedding> all = new ArrayList<>(train);
    all.addAll(test);
    List<Row> allRows = new ArrayList<>(trainRows);
    allRows.addAll(testRows);
    Integer[] order = new Integer[all.size()];
    Arrays.setAll(order, i -> i);
    Collections.shuffle(Arrays.asList(order), new Random(1));
    int cut = (int) Math.round(0.7 * order.length);
    List<Embedding> dbE = new ArrayList<>();
    List<Row> dbR = new ArrayList<>();
    List<Embedding> qE = new ArrayList<>();
    List<Row> qR = new ArrayList<>();
    for (int i = 0; i < order.length; i++) {
      (i < cut ? dbE : qE).add(all.get(order[i]));
      (i < cut ? dbR : qR).add(allRows.get(order[i]));
    }
    Result paper =
        evaluate(
            "paper protocol: random 70/30 split of all slices",
            encoder,
            dbE,
            dbR,
            qE,
            qR,
            r -> true);
    // The same two protocols with compact features: coarse-to-fine mAP@10 per storage.
    Map<FeatureStorage, double[]> storageMap = new EnumMap<>(FeatureStorage.class);
    storageMap.put(FeatureStorage.FLOAT32, new double[] {real.map(), transplanted.map()});
    for (FeatureStorage fs :
        List.of(FeatureStorage.FLOAT16, FeatureStorage.INT8, FeatureStorage.INT8_RESCORED)) {
      storageMap.put(
          fs,
          new double[] {
            evaluate(
                    real.protocol(),
                    encoder,
                    train,
                    trainRows,
                    test,
                    testRows,
                    r -> r.source().equals("real"),
                    fs)
                .map(),
            evaluate(
                    transplanted.protocol(),
                    encoder,
                    train,
                    trainRows,
                    test,
                    testRows,
                    r -> r.source().equals("transplanted"),
                    fs)
                .map()
          });
    }
    Summary s = new Summary(real, transplanted, paper, storageMap);
    Files.createDirectories(out);
    Files.writeString(out.resolve("summary.json"), EvaluationReport.json(s));
    PrCurvePlot.write(s, out.resolve("pr.png"));
    EvaluationGallery.write(
        dataset, encoder, train, trainRows, test, testRows, out.resolve("gallery.png"));
    return s;
  }

  /** The coarse-to-fine request of every protocol: from radius 0, pool of 5% of the index. */
  public static SearchRequest request(int indexed, int k) {
    return SearchRequest.builder()
        .k(k)
        .hammingRadius(0)
        .minPoolSize(Math.max(k, indexed / 20))
        .build();
  }

  /**
   * One protocol: the queries that {@code use} accepts against an index of {@code db}, in a seeded
   * random order (ties go by ordinal; see the comment inside).
   */
  public static Result evaluate(
      String protocol,
      Encoder encoder,
      List<Embedding> db,
      List<Row> dbRows,
      List<Embedding> queries,
      List<Row> queryRows,
      Predicate<Row> use)
      throws IOException {
    return evaluate(protocol, encoder, db, dbRows, queries, queryRows, use, FeatureStorage.FLOAT32);
  }

  /**
   * {@link #evaluate(String, Encoder, List, List, List, List, Predicate)} with an index whose
   * features are kept as {@code storage}.
   */
  public static Result evaluate(
      String protocol,
      Encoder encoder,
      List<Embedding> db,
      List<Row> dbRows,
      List<Embedding> queries,
      List<Row> queryRows,
      Predicate<Row> use,
      FeatureStorage storage)
      throws IOException {
    int[] order = addOrder(db.size());
    db = inOrder(db, order);
    dbRows = inOrder(dbRows, order);
    int n = db.size();
    long[] yDb = dbRows.stream().mapToLong(Row::cls).toArray();
    List<Integer> picked = new ArrayList<>();
    for (int q = 0; q < queries.size(); q++) {
      if (use.test(queryRows.get(q))) {
        picked.add(q);
      }
    }
    int nq = picked.size();
    double[] apC2f = new double[nq];
    double[] apFc1 = new double[nq];
    double[] apHam = new double[nq];
    double[] apFc3 = new double[nq];
    int[] perClassCount = new int[NoduleClass.COUNT];
    double[] perClassSum = new double[NoduleClass.COUNT];
    double p10 = 0;
    double fine = 0;
    RetrievalMetrics.PrCurve[] curves = new RetrievalMetrics.PrCurve[4];
    for (int r = 0; r < 4; r++) {
      curves[r] = new RetrievalMetrics.PrCurve(CURVE_BINS);
    }
    // Per nodule: the classes of the top 10 of all its query slices, pooled.
    Map<String, List<Long>> noduleHits = new HashMap<>();
    Map<String, Integer> noduleClass = new HashMap<>();
    try (RetrievalIndex index = index(encoder, db, dbRows, storage)) {
      for (int qi = 0; qi < nq; qi++) {
        int q = picked.get(qi);
        Embedding e = queries.get(q);
        Row row = queryRows.get(q);
        int cls = row.cls();
        int relevant = RetrievalMetrics.count(yDb, cls);
        SearchResult c2f = index.search(e, request(n, K));
        fine += c2f.fineStageFraction();
        long[] top = labels(c2f.hits(), yDb);
        apC2f[qi] = RetrievalMetrics.averagePrecision(top, cls, relevant);
        p10 += RetrievalMetrics.precision(top, cls);
        perClassCount[cls]++;
        perClassSum[cls] += apC2f[qi];
        if (!row.nodule().isEmpty()) {
          List<Long> pool = noduleHits.computeIfAbsent(row.nodule(), k -> new ArrayList<>());
          for (long v : top) {
            pool.add(v);
          }
          noduleClass.put(row.nodule(), cls);
        }
        int[][] rankings = {
          coarseToFineRanking(c2f, index, e, n),
          ordinals(
              index
                  .search(e, SearchRequest.builder().k(n).mode(SearchMode.EXHAUSTIVE_FC1).build())
                  .hits()),
          ordinals(
              index
                  .search(e, SearchRequest.builder().k(n).mode(SearchMode.HAMMING).build())
                  .hits()),
          rankByProbabilities(e, db)
        };
        apFc1[qi] = RetrievalMetrics.averagePrecision(take(rankings[1], yDb), cls, relevant);
        apHam[qi] = RetrievalMetrics.averagePrecision(take(rankings[2], yDb), cls, relevant);
        apFc3[qi] = RetrievalMetrics.averagePrecision(take(rankings[3], yDb), cls, relevant);
        for (int r = 0; r < 4; r++) {
          curves[r].add(rankings[r], yDb, cls);
        }
      }
    }
    double[] perClass = new double[NoduleClass.COUNT];
    for (int c = 0; c < perClass.length; c++) {
      perClass[c] = perClassCount[c] == 0 ? Double.NaN : perClassSum[c] / perClassCount[c];
    }
    int right = 0;
    int withinOne = 0;
    for (var en : noduleHits.entrySet()) {
      int truth = noduleClass.get(en.getKey());
      int major =
          RetrievalMetrics.majority(
              en.getValue().stream().mapToLong(Long::longValue).toArray(), NoduleClass.COUNT);
      right += major == truth ? 1 : 0;
      withinOne += Math.abs(major - truth) <= 1 ? 1 : 0;
    }
    int nodules = noduleHits.size();
    double[][] pr = new double[4][];
    for (int r = 0; r < 4; r++) {
      pr[r] = curves[r].precision();
    }
    return new Result(
        protocol,
        nq,
        n,
        perClassCount,
        nq == 0 ? Double.NaN : p10 / nq,
        perClass,
        mean(apC2f),
        mean(apFc1),
        mean(apHam),
        mean(apFc3),
        nq == 0 ? Double.NaN : fine / nq,
        nodules,
        nodules == 0 ? Double.NaN : (double) right / nodules,
        nodules == 0 ? Double.NaN : (double) withinOne / nodules,
        pr);
  }

  /**
   * Positions {@code 0..n-1} in the order a database is added to an index: seeded random, since the
   * index breaks ties by ordinal and export order (real slices first) would favour one source.
   */
  static int[] addOrder(int n) {
    Integer[] perm = new Integer[n];
    Arrays.setAll(perm, i -> i);
    Collections.shuffle(Arrays.asList(perm), new Random(7));
    return Arrays.stream(perm).mapToInt(Integer::intValue).toArray();
  }

  static <T> List<T> inOrder(List<T> list, int[] order) {
    return Arrays.stream(order).mapToObj(list::get).toList();
  }

  /** An index holding {@code db.get(i)} as ordinal {@code i}, labelled from its row. */
  static RetrievalIndex index(Encoder encoder, List<Embedding> db, List<Row> rows) {
    return index(encoder, db, rows, FeatureStorage.FLOAT32);
  }

  static RetrievalIndex index(
      Encoder encoder, List<Embedding> db, List<Row> rows, FeatureStorage storage) {
    RetrievalIndex index =
        RetrievalIndexes.create(
            IndexConfig.builder()
                .matching(encoder)
                .expectedSlices(Math.max(1, db.size()))
                .featureStorage(storage)
                .build());
    for (int i = 0; i < db.size(); i++) {
      Row r = rows.get(i);
      index.add(
          SliceRef.builder()
              .patientId(r.patient())
              .seriesUid(r.series())
              .sliceIndex(r.slice())
              .noduleClass(NoduleClass.ofLabel(r.cls()))
              .noduleDiameterMm(r.diameterMm())
              .build(),
          db.get(i));
    }
    return index;
  }

  /** The rows of an exported dataset's {@code provenance.csv}. */
  public static List<Row> rows(Path dataset) throws IOException {
    List<String> lines =
        Files.readAllLines(dataset.resolve("provenance.csv"), StandardCharsets.UTF_8);
    List<String> header = List.of(lines.get(0).split(","));
    String[] names = {
      "split",
      "patient",
      "series_uid",
      "slice_index",
      "class",
      "diameter_mm",
      "source",
      "nodule",
      "nodule_col",
      "nodule_row"
    };
    int[] col = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      col[i] = header.indexOf(names[i]);
      if (col[i] < 0) {
        throw new IOException(
            dataset.resolve("provenance.csv")
                + " has no column "
                + names[i]
                + " (exported by an older cbmir-data? export again)");
      }
    }
    List<Row> out = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      String[] f = l.split(",", -1);
      out.add(
          new Row(
              f[col[0]],
              f[col[1]],
              f[col[2]],
              Integer.parseInt(f[col[3]]),
              Integer.parseInt(f[col[4]]),
              Double.parseDouble(f[col[5]]),
              f[col[6]],
              f[col[7]],
              Double.parseDouble(f[col[8]]),
              Double.parseDouble(f[col[9]])));
    }
    return out;
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
        slices.add(
            CtSlice.builder()
                .size(size, size)
                .hu(images.floats(i))
                .pixelSpacingMm(spacing, spacing)
                .build());
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
  private static int[] coarseToFineRanking(
      SearchResult c2f, RetrievalIndex index, Embedding e, int n) {
    int[] fineOrder =
        ordinals(
            index
                .search(
                    e,
                    SearchRequest.builder()
                        .k(c2f.poolSize())
                        .hammingRadius(c2f.radiusUsed())
                        .minPoolSize(c2f.poolSize())
                        .build())
                .hits());
    boolean[] seen = new boolean[n];
    int[] out = new int[n];
    int w = 0;
    for (int o : fineOrder) {
      out[w++] = o;
      seen[o] = true;
    }
    for (int o :
        ordinals(
            index
                .search(e, SearchRequest.builder().k(n).mode(SearchMode.HAMMING).build())
                .hits())) {
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

  private static double mean(double[] v) {
    return Arrays.stream(v).average().orElse(Double.NaN);
  }
}
