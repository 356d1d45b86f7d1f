package org.cbmir.data.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.Hit;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.SearchResult;
import org.cbmir.api.preprocessing.ModelInput;
import org.cbmir.data.NpyReader;

/**
 * One row per class: a query of a test patient (a real nodule slice of a whole test series where
 * one of that class exists, else a real nodule crop of a test patient transplanted into a test
 * slice; for class 0 a nodule-free real slice) and its top five coarse-to-fine hits from the
 * training patients' index, each a 64 mm tile around the nodule (the whole slice in the row of
 * class 0) in the lung window, framed green when the hit has the query's class and red when not.
 *
 * <p>Thread-safety: stateless.
 */
final class EvaluationGallery {
  private static final int TILE_MM = 64;
  private static final int TILE_PX = 128;
  private static final int HITS = 5;
  private static final int LABEL_W = 230;
  private static final int ROW_H = TILE_PX + 34;

  private EvaluationGallery() {}

  static void write(
      Path dataset,
      Encoder encoder,
      List<Embedding> train,
      List<Evaluation.Row> trainRows,
      List<Embedding> test,
      List<Evaluation.Row> testRows,
      Path png)
      throws IOException {
    NpyReader trainImages = NpyReader.read(dataset.resolve("train_images.npy"));
    NpyReader testImages = NpyReader.read(dataset.resolve("test_images.npy"));
    int w = LABEL_W + (HITS + 1) * (TILE_PX + 8) + 8;
    int h = 40 + NoduleClass.COUNT * ROW_H;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(
        "Query (test patient) and its top 5 from the training patients' index;"
            + " green: same class, red: other",
        8,
        22);
    // The same index as the evaluation's (same order, so the same ties).
    int[] order = Evaluation.addOrder(train.size());
    try (RetrievalIndex index =
        Evaluation.index(
            encoder, Evaluation.inOrder(train, order), Evaluation.inOrder(trainRows, order))) {
      for (int c = 0; c < NoduleClass.COUNT; c++) {
        int q = pick(testRows, c);
        int y = 40 + c * ROW_H;
        if (q < 0) {
          continue;
        }
        Evaluation.Row qr = testRows.get(q);
        SearchResult res = index.search(test.get(q), Evaluation.request(train.size(), HITS));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.BLACK);
        g.drawString(words(c), 8, y + 16);
        g.drawString(
            qr.source().equals("real")
                ? "real slice, " + qr.patient()
                : "real nodule of " + qr.patient(),
            8,
            y + 32);
        if (!qr.source().equals("real")) {
          g.drawString("transplanted into a test slice", 8, y + 48);
        }
        if (qr.diameterMm() > 0) {
          g.drawString(String.format(Locale.ROOT, "%.1f mm", qr.diameterMm()), 8, y + 64);
        }
        boolean whole = c == 0;
        drawTile(g, testImages.floats(q), qr, LABEL_W, y, Color.DARK_GRAY, whole);
        int x = LABEL_W + TILE_PX + 16;
        for (Hit hit : res.hits()) {
          int at = order[hit.ordinal()];
          Evaluation.Row hr = trainRows.get(at);
          drawTile(
              g,
              trainImages.floats(at),
              hr,
              x,
              y,
              hr.cls() == c ? new Color(0x2ca02c) : new Color(0xd62728),
              whole);
          g.setColor(Color.BLACK);
          g.drawString(
              String.format(
                  Locale.ROOT,
                  "%s  FC1 %.2f",
                  NoduleClass.ofLabel(hr.cls()).description(),
                  hit.featureDistance()),
              x,
              y + TILE_PX + 18);
          x += TILE_PX + 8;
        }
      }
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }

  /**
   * A real slice of the class if the test series have one (the middle slice of its nodule, where
   * the nodule is widest), else a transplanted nodule; for class 0 the middle nodule-free real
   * slice.
   */
  private static int pick(List<Evaluation.Row> rows, int c) {
    List<Integer> real = new ArrayList<>();
    int fallback = -1;
    String nodule = null;
    for (int i = 0; i < rows.size(); i++) {
      Evaluation.Row r = rows.get(i);
      if (r.cls() != c) {
        continue;
      }
      if (r.source().equals("real") && (c == 0 || r.noduleCol() >= 0)) {
        if (nodule == null) {
          nodule = r.nodule();
        }
        if (r.nodule().equals(nodule)) {
          real.add(i);
        }
      }
      if (fallback < 0 && r.source().equals("transplanted")) {
        fallback = i;
      }
    }
    return real.isEmpty() ? fallback : real.get(real.size() / 2);
  }

  /** A 64 mm tile around the nodule, or the whole slice when {@code whole}. */
  private static void drawTile(
      Graphics2D g, float[] hu, Evaluation.Row r, int x, int y, Color frame, boolean whole) {
    int size = (int) Math.round(Math.sqrt(hu.length));
    double spacing = ModelInput.DEFAULT.spacingMm();
    double cx = r.noduleCol() >= 0 && !whole ? r.noduleCol() : size / 2.0;
    double cy = r.noduleRow() >= 0 && !whole ? r.noduleRow() : size / 2.0;
    double half = whole ? size / 2.0 : TILE_MM / 2.0 / spacing;
    BufferedImage tile = new BufferedImage(TILE_PX, TILE_PX, BufferedImage.TYPE_INT_RGB);
    for (int ty = 0; ty < TILE_PX; ty++) {
      for (int tx = 0; tx < TILE_PX; tx++) {
        int sx = (int) Math.floor(cx - half + (tx + 0.5) * 2 * half / TILE_PX);
        int sy = (int) Math.floor(cy - half + (ty + 0.5) * 2 * half / TILE_PX);
        float v = sx < 0 || sy < 0 || sx >= size || sy >= size ? -1024 : hu[sy * size + sx];
        int grey = (int) Math.round(255 * Math.max(0, Math.min(1, (v + 1350) / 1500.0)));
        tile.setRGB(tx, ty, grey * 0x010101);
      }
    }
    g.drawImage(tile, x, y, null);
    g.setColor(frame);
    g.setStroke(new BasicStroke(3f));
    g.drawRect(x - 2, y - 2, TILE_PX + 3, TILE_PX + 3);
  }

  private static String words(int c) {
    return c == 0 ? "no nodule" : "nodule " + NoduleClass.ofLabel(c).description();
  }
}
