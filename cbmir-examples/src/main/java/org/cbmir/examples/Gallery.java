package org.cbmir.examples;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Hit;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SliceRef;
import org.cbmir.api.preprocessing.HuWindow;

/**
 * One self-contained HTML page (images embedded as PNG data) showing a query slice and its hits in
 * the lung window, like the paper's Figs. 9 and 10: rank, Hamming and FC1 distances, class and
 * nodule diameter, and a mark for same or different class than the query.
 *
 * <p>Thread-safety: stateless.
 */
final class Gallery {
  private Gallery() {}

  /** A hit with its pixels (null when the archive no longer has the slice). Immutable. */
  record Shown(Hit hit, CtSlice slice) {}

  static void write(Path html, CtSlice query, NoduleClass queryClass, List<Shown> hits)
      throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>cbmir: similar cases"
        + "</title><style>body{font-family:sans-serif;background:#111;color:#eee;margin:20px}"
        + ".grid{display:flex;flex-wrap:wrap;gap:12px}.card{background:#222;padding:8px;"
        + "border-radius:6px;width:220px}.card img{width:220px;height:220px;display:block}"
        + ".same{border:3px solid #2ca02c}.diff{border:3px solid #d62728}.q{border:3px solid #eee}"
        + "small{color:#aaa}</style></head><body><h1>Similar cases</h1>");
    b.append("<div class=\"grid\"><div class=\"card q\"><img alt=\"query\" src=\"")
        .append(png(query)).append("\"><b>query</b><br><small>")
        .append(describe(query.ref(), queryClass)).append("</small></div></div><h2>Top ")
        .append(hits.size()).append("</h2><div class=\"grid\">");
    for (Shown s : hits) {
      Hit h = s.hit();
      NoduleClass c = h.ref().noduleClass();
      boolean known = c != null && queryClass != null;
      String cls = !known ? "" : c == queryClass ? " same" : " diff";
      b.append("<div class=\"card").append(cls).append("\">");
      if (s.slice() != null) {
        b.append("<img alt=\"hit ").append(h.rank()).append("\" src=\"").append(png(s.slice()))
            .append("\">");
      }
      b.append(String.format(Locale.ROOT, "<b>#%d</b> %s<br><small>Hamming %d, FC1 %.3f<br>%s"
              + "</small></div>", h.rank(), !known ? "" : c == queryClass ? "&#10003; same class"
              : "&#10007; other class", h.hammingDistance(), h.featureDistance(),
          describe(h.ref(), c)));
    }
    b.append("</div><p><small>Lung window (level -600, width 1500 HU). Green: same nodule class"
        + " as the query; red: another class.</small></p></body></html>\n");
    Files.writeString(html, b, StandardCharsets.UTF_8);
  }

  private static String describe(SliceRef ref, NoduleClass c) {
    if (ref == null) {
      return "";
    }
    String d = Double.isNaN(ref.noduleDiameterMm()) ? "" : String.format(Locale.ROOT,
        ", nodule %.1f mm", ref.noduleDiameterMm());
    return escape(ref.patientId()) + ", slice " + ref.sliceIndex() + (c == null ? ""
        : ", class " + c) + d;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String png(CtSlice s) throws IOException {
    BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_BYTE_GRAY);
    float[] hu = s.hu();
    for (int y = 0; y < s.height(); y++) {
      for (int x = 0; x < s.width(); x++) {
        img.getRaster().setSample(x, y, 0,
            Math.round(255 * HuWindow.LUNG.apply(hu[y * s.width() + x])));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
  }
}
