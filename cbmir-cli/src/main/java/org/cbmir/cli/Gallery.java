package org.cbmir.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.cbmir.api.CtSlice;
import org.cbmir.api.CtVolume;
import org.cbmir.api.Hit;
import org.cbmir.api.IdentifierPolicy;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SliceRef;
import org.cbmir.api.preprocessing.HuWindow;
import org.cbmir.data.DatasetExporter;
import org.cbmir.data.Nodule;
import org.cbmir.data.SliceLabels;

/**
 * One self-contained HTML page (images embedded as PNG data) showing a query slice and its hits in
 * the lung window, like the paper's Figs. 9 and 10: for each slice its patient, slice number, z,
 * nodule class in words and diameter; a circle on every annotated nodule and a zoomed view (64 mm
 * square) of it beside the whole slice; green or red frames for hits of the query's class or
 * another, whenever both are known.
 *
 * <p>Thread-safety: stateless.
 */
final class Gallery {
  /** Side of the zoomed view in mm: a 30 mm nodule still fits with its surroundings. */
  static final double ZOOM_MM = 64;

  private static final int FULL_PX = 230;
  private static final int ZOOM_PX = 150;

  private Gallery() {}

  /** Where an annotated nodule lies on a slice, in pixels. Immutable. */
  record Mark(double column, double row, double radiusPx, double diameterMm) {}

  /**
   * A slice to show: its reference, its pixels (null when the archive does not have it) and its
   * nodule marks; {@code hit} is null for the query. Immutable.
   */
  record Shown(SliceRef ref, Hit hit, CtSlice slice, List<Mark> marks) {

    /** Slice {@code k} of the query's series. */
    static Shown query(DatasetExporter.Source source, int k) {
      CtVolume v = source.volume();
      return new Shown(v.slice(k).ref().orElseThrow(), null, v.slice(k), marks(source, k));
    }

    /** The hits, with pixels and marks from the archive's sources where found. */
    static List<Shown> hits(
        List<Hit> hits, List<DatasetExporter.Source> archive, IdentifierPolicy policy) {
      List<Shown> out = new ArrayList<>();
      for (Hit h : hits) {
        DatasetExporter.Source src =
            archive.stream()
                .filter(s -> policy.seriesUid(s.volume().seriesUid()).equals(h.ref().seriesUid()))
                .filter(s -> h.ref().sliceIndex() < s.volume().depth())
                .findFirst()
                .orElse(null);
        out.add(
            src == null
                ? new Shown(h.ref(), h, null, List.of())
                : new Shown(
                    h.ref(),
                    h,
                    src.volume().slice(h.ref().sliceIndex()),
                    marks(src, h.ref().sliceIndex())));
      }
      return out;
    }

    private static List<Mark> marks(DatasetExporter.Source s, int k) {
      CtVolume v = s.volume();
      List<Mark> out = new ArrayList<>();
      for (Nodule n : SliceLabels.coveringAll(v, k, s.nodules())) {
        out.add(
            new Mark(
                n.column(v),
                n.row(v),
                n.diameterMm() / 2 / v.columnSpacingMm() + 4,
                n.diameterMm()));
      }
      return out;
    }
  }

  static void write(Path html, Shown query, List<Shown> hits) throws IOException {
    NoduleClass qc = query.ref().noduleClass();
    StringBuilder b = new StringBuilder();
    b.append(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>cbmir: similar cases"
            + "</title><style>body{font-family:sans-serif;background:#111;color:#eee;margin:20px}"
            + ".grid{display:flex;flex-wrap:wrap;gap:14px}.card{background:#222;padding:8px;"
            + "border-radius:6px;border:4px solid #555}.imgs{display:flex;gap:6px;align-items:"
            + "flex-start}.same{border-color:#2ca02c}.diff{border-color:#d62728}.q{border-color:"
            + "#eee}.verdict{font-weight:bold}.same .verdict{color:#5fd35f}.diff .verdict{color:"
            + "#ff6b6b}small{color:#bbb}.none{width:"
            + ZOOM_PX
            + "px;color:#888;font-size:12px}"
            + "</style></head><body><h1>Similar cases</h1>");
    b.append("<div class=\"grid\">").append(card(query, "q", "query")).append("</div>");
    b.append("<h2>Top ")
        .append(hits.size())
        .append(
            "</h2><p><small>Hamming: bits of the hash"
                + " code that differ from the query's (coarse stage). FC1: Euclidean distance of the"
                + " feature vectors, which ranks the hits (fine stage). Frames: green, same nodule class"
                + " as the query; red, another class; grey, a class is unknown.</small></p>");
    b.append("<div class=\"grid\">");
    for (Shown s : hits) {
      NoduleClass c = s.ref().noduleClass();
      boolean judged = c.isKnown() && qc.isKnown();
      String frame = !judged ? "" : c == qc ? "same" : "diff";
      String verdict = !judged ? "" : c == qc ? "&#10003; same class" : "&#10007; other class";
      Hit h = s.hit();
      b.append(
          card(
              s,
              frame,
              String.format(
                  Locale.ROOT,
                  "#%d <span class=\"verdict\">%s"
                      + "</span><br><small>Hamming %d, FC1 %.3f</small>",
                  h.rank(),
                  verdict,
                  h.hammingDistance(),
                  h.featureDistance())));
    }
    b.append(
        "</div><p><small>Lung window (level -600, width 1500 HU); circles mark annotated"
            + " nodules, shown again zoomed to "
            + (int) ZOOM_MM
            + " mm beside the slice.</small></p>"
            + "</body></html>\n");
    Files.writeString(html, b, StandardCharsets.UTF_8);
  }

  private static String card(Shown s, String frame, String title) throws IOException {
    SliceRef r = s.ref();
    StringBuilder b =
        new StringBuilder(
            "<div class=\"card " + frame + "\"><div>" + title + "</div><div class=\"imgs\">");
    if (s.slice() == null) {
      b.append("<div class=\"none\">image not in the archive given with --archive</div>");
    } else {
      b.append("<img alt=\"slice\" width=\"" + FULL_PX + "\" height=\"" + FULL_PX + "\" src=\"")
          .append(png(full(s)))
          .append("\">");
      if (s.marks().isEmpty()) {
        b.append("<div class=\"none\">no annotated nodule on this slice</div>");
      } else {
        b.append("<img alt=\"zoom\" width=\"" + ZOOM_PX + "\" height=\"" + ZOOM_PX + "\" src=\"")
            .append(png(zoom(s.slice(), s.marks().get(0))))
            .append("\">");
      }
    }
    b.append("</div><small>")
        .append(escape(r.patientId()))
        .append(", slice ")
        .append(r.sliceIndex())
        .append(String.format(Locale.ROOT, ", z %.1f mm", r.zMm()))
        .append("<br>")
        .append(r.noduleInWords())
        .append("</small></div>");
    return b.toString();
  }

  private static BufferedImage gray(CtSlice s) {
    BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
    float[] hu = s.hu();
    for (int y = 0; y < s.height(); y++) {
      for (int x = 0; x < s.width(); x++) {
        int g = Math.round(255 * HuWindow.LUNG.apply(hu[y * s.width() + x]));
        img.setRGB(x, y, (g << 16) | (g << 8) | g);
      }
    }
    return img;
  }

  /** The whole slice, scaled to the card, with a circle on each nodule. */
  private static BufferedImage full(Shown s) {
    BufferedImage src = gray(s.slice());
    BufferedImage out = new BufferedImage(FULL_PX, FULL_PX, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.drawImage(src, 0, 0, FULL_PX, FULL_PX, null);
    double sx = (double) FULL_PX / s.slice().width();
    double sy = (double) FULL_PX / s.slice().height();
    g.setColor(Color.YELLOW);
    g.setStroke(new BasicStroke(2f));
    for (Mark m : s.marks()) {
      double rx = Math.max(6, m.radiusPx() * sx);
      double ry = Math.max(6, m.radiusPx() * sy);
      g.drawOval(
          (int) Math.round(m.column() * sx - rx),
          (int) Math.round(m.row() * sy - ry),
          (int) Math.round(2 * rx),
          (int) Math.round(2 * ry));
    }
    g.dispose();
    return out;
  }

  /** A {@value #ZOOM_MM} mm square around the mark, scaled up, with the circle. */
  private static BufferedImage zoom(CtSlice s, Mark m) {
    BufferedImage src = gray(s);
    double halfPx = ZOOM_MM / 2 / s.columnSpacingMm();
    int x0 = (int) Math.round(m.column() - halfPx);
    int y0 = (int) Math.round(m.row() - ZOOM_MM / 2 / s.rowSpacingMm());
    int w = (int) Math.round(2 * halfPx);
    int h = (int) Math.round(ZOOM_MM / s.rowSpacingMm());
    BufferedImage out = new BufferedImage(ZOOM_PX, ZOOM_PX, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.drawImage(src, 0, 0, ZOOM_PX, ZOOM_PX, x0, y0, x0 + w, y0 + h, null);
    double scale = (double) ZOOM_PX / w;
    double r = m.radiusPx() * scale;
    g.setColor(Color.YELLOW);
    g.setStroke(new BasicStroke(1.5f));
    g.drawOval(
        (int) Math.round((m.column() - x0) * scale - r),
        (int) Math.round((m.row() - y0) * scale - r),
        (int) Math.round(2 * r),
        (int) Math.round(2 * r));
    g.setFont(g.getFont().deriveFont(11f));
    String label = String.format(Locale.ROOT, "%.1f mm", m.diameterMm());
    g.setColor(new Color(0, 0, 0, 180));
    g.fillRect(0, ZOOM_PX - 18, g.getFontMetrics().stringWidth(label) + 8, 18);
    g.setColor(Color.YELLOW);
    g.drawString(label, 4, ZOOM_PX - 5);
    g.dispose();
    return out;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String png(BufferedImage img) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
  }
}
