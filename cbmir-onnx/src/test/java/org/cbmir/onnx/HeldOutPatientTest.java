package org.cbmir.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cbmir.api.Embedding;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.testing.SharedData;
import org.cbmir.data.DatasetExporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped models on the test patients of the committed patient split, with the dataset rebuilt
 * here by the same exporter and settings as for training (real slices, and real nodule crops
 * transplanted into slices of their own split), from ../shared/data; skipped where that is absent.
 * Thresholds are the model cards' figures minus a small margin, so that a regression fails; the
 * figures are computed here the way training/train.py computes them.
 */
class HeldOutPatientTest {
  @TempDir static Path dir;
  static Split train;
  static Split test;
  static Path data;
  static final String[] NAMES = {
    "0", "(0,5]", "(5,6]", "(6,8]", "(8,13]", "(13,18]", "(18,23]", ">23"
  };

  /** One split of the exported dataset. */
  record Split(float[][] images, byte[][] masks, long[] labels, List<String> sources) {}

  @org.junit.jupiter.api.BeforeEach
  void needsData() {
    SharedData.assume(data);
  }

  @BeforeAll
  static void export() throws IOException {
    data = SharedData.find();
    if (data == null) {
      return;
    }
    DatasetExporter.builder().build().exportFolder(data, dir, VolumeReader.ReadListener.NONE);
    train = load("train");
    test = load("test");
  }

  static Split load(String name) throws IOException {
    int px = 256 * 256;
    ByteBuffer im = npy(dir.resolve(name + "_images.npy"));
    ByteBuffer mk = npy(dir.resolve(name + "_masks.npy"));
    ByteBuffer lb = npy(dir.resolve(name + "_labels.npy"));
    int n = lb.remaining() / 8;
    float[][] images = new float[n][px];
    byte[][] masks = new byte[n][px];
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      im.asFloatBuffer().get(images[i]);
      im.position(im.position() + 4 * px);
      mk.get(masks[i]);
      labels[i] = lb.getLong();
    }
    List<String> lines = Files.readAllLines(dir.resolve("provenance.csv"));
    int source = List.of(lines.get(0).split(",")).indexOf("source");
    List<String> sources =
        lines.stream()
            .filter(l -> l.startsWith(name + ","))
            .map(l -> l.split(",", -1)[source])
            .toList();
    return new Split(images, masks, labels, sources);
  }

  /** The data of one of our .npy files (header of 128 bytes, little-endian). */
  static ByteBuffer npy(Path f) throws IOException {
    byte[] all = Files.readAllBytes(f);
    String magic = new String(all, 1, 5, StandardCharsets.US_ASCII);
    int header = 10 + ((all[8] & 0xff) | (all[9] & 0xff) << 8);
    if (!magic.equals("NUMPY")) {
      throw new IOException(f + " is not .npy");
    }
    return ByteBuffer.wrap(all, header, all.length - header).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  static String card(String model) throws IOException {
    return Golden.resource("/org/cbmir/onnx/models/" + model + ".card.json");
  }

  static double number(String json, String key) {
    return Double.parseDouble(Golden.field(json, key));
  }

  @Test
  void unetAgreesWithThresholdMasksOnTheTestPatients() throws IOException {
    try (OnnxSegmenter seg = OnnxSegmenter.builder().build()) {
      long inter = 0;
      long total = 0;
      for (int i = 0; i < test.labels().length; i++) {
        if (!test.sources().get(i).equals("real")) {
          continue;
        }
        float[] p = seg.probabilities(test.images()[i]);
        for (int k = 0; k < p.length; k++) {
          boolean a = p[k] >= 0.5f;
          boolean b = test.masks()[i][k] != 0;
          inter += a && b ? 1 : 0;
          total += (a ? 1 : 0) + (b ? 1 : 0);
        }
      }
      double dice = 2.0 * inter / total;
      System.out.printf(
          java.util.Locale.ROOT, "U-Net Dice on the test patients' real slices:" + " %.4f%n", dice);
      assertTrue(dice >= 0.95, "Dice " + dice + " below the 0.95 goal on the test patients");
    }
  }

  static List<Embedding> encode(OnnxEncoder enc, Split s) {
    List<Embedding> out = new ArrayList<>();
    for (int b = 0; b < s.labels().length; b += 64) {
      float[][] in = new float[Math.min(64, s.labels().length - b)][];
      for (int j = 0; j < in.length; j++) {
        in[j] = s.images()[b + j].clone();
        for (int k = 0; k < in[j].length; k++) {
          if (s.masks()[b + j][k] == 0) {
            in[j][k] = -1024f;
          }
        }
      }
      out.addAll(enc.encodePrepared(in));
    }
    return out;
  }

  @Test
  void encoderHoldsTheCardsFiguresOnTheTestPatients() throws IOException {
    try (OnnxEncoder enc = OnnxEncoder.builder().build()) {
      List<Embedding> q = encode(enc, test);
      List<Embedding> db = encode(enc, train);
      float[][] dbFeatures = db.stream().map(Embedding::fc1).toArray(float[][]::new);
      String card = card("inresnet");
      for (String source : List.of("real", "transplanted")) {
        String expected = Golden.section(card, source);
        int n = 0;
        int correct = 0;
        double apSum = 0;
        int[] perClass = new int[8];
        int[] perClassTotal = new int[8];
        for (int i = 0; i < q.size(); i++) {
          if (!test.sources().get(i).equals(source)) {
            continue;
          }
          int y = (int) test.labels()[i];
          boolean ok = q.get(i).predictedClass().orElseThrow().label() == y;
          n++;
          correct += ok ? 1 : 0;
          perClass[y] += ok ? 1 : 0;
          perClassTotal[y]++;
          apSum += averagePrecisionAt10(q.get(i).fc1(), y, dbFeatures, train.labels());
        }
        double accuracy = (double) correct / n;
        double map = apSum / n;
        System.out.printf(
            java.util.Locale.ROOT,
            "encoder on %s test queries: accuracy %.4f," + " FC1 mAP@10 %.4f (%d queries)%n",
            source,
            accuracy,
            map,
            n);
        double cardAccuracy = number(expected, "accuracy");
        double cardMap = number(expected, "mapAt10Fc1");
        assertTrue(
            accuracy >= cardAccuracy - 0.02,
            source + ": accuracy " + accuracy + ", card says " + cardAccuracy);
        assertTrue(
            map >= cardMap - 0.02, source + ": FC1 mAP@10 " + map + ", card says " + cardMap);
        String per = Golden.section(expected, "perClassAccuracy");
        for (int c = 0; c < 8; c++) {
          if (perClassTotal[c] < 20) {
            continue; // a few queries: one miss moves the figure by more than any margin
          }
          double got = (double) perClass[c] / perClassTotal[c];
          double want = number(per, NAMES[c]);
          assertTrue(
              got >= want - 0.05,
              source + " class " + NAMES[c] + " accuracy " + got + ", card says " + want);
        }
      }
      // Compact features on the same queries: int8 re-scored and float16 must rank like float32.
      List<org.cbmir.data.eval.Evaluation.Row> rows = org.cbmir.data.eval.Evaluation.rows(dir);
      List<org.cbmir.data.eval.Evaluation.Row> trainRows =
          rows.stream().filter(r -> r.split().equals("train")).toList();
      List<org.cbmir.data.eval.Evaluation.Row> testRows =
          rows.stream().filter(r -> r.split().equals("test")).toList();
      for (String source : List.of("real", "transplanted")) {
        java.util.Map<org.cbmir.api.FeatureStorage, Double> map =
            new java.util.EnumMap<>(org.cbmir.api.FeatureStorage.class);
        for (org.cbmir.api.FeatureStorage fs : org.cbmir.api.FeatureStorage.values()) {
          map.put(
              fs,
              org.cbmir.data.eval.Evaluation.evaluate(
                      source, enc, db, trainRows, q, testRows, r -> r.source().equals(source), fs)
                  .map());
        }
        System.out.println(
            "coarse-to-fine mAP@10 on " + source + " test queries by feature" + " storage: " + map);
        assertEquals(
            map.get(org.cbmir.api.FeatureStorage.FLOAT32),
            map.get(org.cbmir.api.FeatureStorage.INT8_RESCORED),
            0.005,
            source);
        assertEquals(
            map.get(org.cbmir.api.FeatureStorage.FLOAT32),
            map.get(org.cbmir.api.FeatureStorage.INT8),
            0.02,
            source);
        assertEquals(
            map.get(org.cbmir.api.FeatureStorage.FLOAT32),
            map.get(org.cbmir.api.FeatureStorage.FLOAT16),
            0.005,
            source);
      }
      // Every bit of the hash code alive: mean activation within [0.2, 0.8] on the test split,
      // for at least as many bits as the card reports.
      int balanced = 0;
      int bits = q.get(0).bits();
      for (int b = 0; b < bits; b++) {
        int ones = 0;
        for (Embedding e : q) {
          ones += (int) (e.code()[b >>> 6] >>> (b & 63)) & 1;
        }
        double mean = (double) ones / q.size();
        balanced += mean >= 0.2 && mean <= 0.8 ? 1 : 0;
      }
      double cardBalanced = number(Golden.section(card, "hash"), "bitsInBalance");
      assertTrue(
          balanced >= cardBalanced, balanced + " bits in balance, card says " + cardBalanced);
    }
  }

  /** AP@10 of the FC1 ranking of the database (ties by position), as train.py computes it. */
  static double averagePrecisionAt10(float[] f, int cls, float[][] db, long[] y) {
    int n = db.length;
    double[] d = new double[n];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      float[] g = db[i];
      double s = 0;
      for (int k = 0; k < f.length; k++) {
        double t = f[k] - g[k];
        s += t * t;
      }
      d[i] = s;
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> d[a] != d[b] ? Double.compare(d[a], d[b]) : a - b);
    int relevant = 0;
    for (long v : y) {
      relevant += v == cls ? 1 : 0;
    }
    double sum = 0;
    int hits = 0;
    for (int i = 0; i < 10; i++) {
      if (y[order[i]] == cls) {
        hits++;
        sum += (double) hits / (i + 1);
      }
    }
    return Math.min(relevant, 10) == 0 ? 0 : sum / Math.min(relevant, 10);
  }
}
