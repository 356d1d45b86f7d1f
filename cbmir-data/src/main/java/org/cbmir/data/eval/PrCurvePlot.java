package org.cbmir.data.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws the precision-recall curves of an evaluation (the paper's Fig. 8) as a PNG: the four
 * rankings (coarse-to-fine, FC1, H, FC3) over the test patients' queries (real slices and
 * transplanted real nodules together).
 *
 * <p>Thread-safety: stateless.
 */
final class PrCurvePlot {
  private PrCurvePlot() {}

  static void write(Evaluation.Summary s, Path png) throws IOException {
    Evaluation.Result real = s.real();
    Evaluation.Result moved = s.transplanted();
    int queries = real.queries() + moved.queries();
    double[][] pr = new double[4][];
    for (int r = 0; r < 4; r++) {
      pr[r] = new double[real.pr()[r].length];
      for (int i = 0; i < pr[r].length; i++) {
        pr[r][i] =
            queries == 0
                ? 0
                : (real.pr()[r][i] * real.queries() + moved.pr()[r][i] * moved.queries()) / queries;
      }
    }
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
    g.drawString("Precision-recall, " + queries + " test-patient queries", left, 24);
    String[] names = {"coarse-to-fine", "FC1", "H (Hamming)", "FC3"};
    Color[] colors = {
      new Color(0xd62728), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x9467bd)
    };
    g.setStroke(new BasicStroke(2f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int r = 0; r < 4; r++) {
      int curve = pr[r].length;
      g.setColor(colors[r]);
      int px = -1;
      int py = -1;
      for (int b = 0; b < curve; b++) {
        double p = pr[r][b];
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
