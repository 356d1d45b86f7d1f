package org.cbmir.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.cbmir.api.CtVolume;
import org.cbmir.api.UnreadableInputException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * LIDC-IDRI radiologist reads ({@code LidcReadMessage} XML): per reading session (radiologist),
 * each nodule's contours per slice, or a single point for nodules under 3 mm. The reads are merged
 * into consensus {@link Nodule}s: reads of different radiologists whose centres lie within half the
 * larger diameter (at least 5 mm) are one nodule.
 *
 * <p>Per read: centre = mean of the contour points (pixel coordinates, converted to mm with the
 * volume's geometry); diameter = diameter of the circle with the area of the largest contour (an
 * in-plane estimate like LUNA16's); a point-only read gets 3 mm, the upper bound LIDC gives them.
 *
 * <p>Thread-safety: stateless; all methods are thread-safe.
 */
public final class LidcAnnotations {
  /** Diameter assigned to reads marked with a single point (LIDC: nodules under 3 mm). */
  public static final double SMALL_NODULE_MM = 3.0;

  private LidcAnnotations() {}

  /** One radiologist's read of one nodule, in mm. Thread-safety: immutable. */
  public record Read(
      String reader,
      String noduleId,
      double xMm,
      double yMm,
      double zMm,
      double diameterMm,
      double zMinMm,
      double zMaxMm) {}

  /** The series UID named in the file, or an empty string for a file without one. */
  public static String seriesUid(Path xml) throws IOException {
    Document doc = parse(xml);
    NodeList l = doc.getElementsByTagNameNS("*", "SeriesInstanceUid");
    return l.getLength() == 0 ? "" : l.item(0).getTextContent().trim();
  }

  /**
   * Every radiologist's nodule reads, in mm, using the volume's pixel spacing and origin.
   *
   * @throws UnreadableInputException if the file is not LIDC XML or belongs to another series
   */
  public static List<Read> reads(Path xml, CtVolume volume) throws IOException {
    Document doc = parse(xml);
    Element root = doc.getDocumentElement();
    if (!"LidcReadMessage".equals(root.getLocalName())) {
      throw new UnreadableInputException(
          xml, "not an LIDC read message (root element " + root.getLocalName() + ")");
    }
    String uid = seriesUid(xml);
    if (!uid.isEmpty() && !uid.equals(volume.seriesUid())) {
      throw new UnreadableInputException(
          xml, "annotates series " + uid + ", not " + volume.seriesUid());
    }
    double[] origin = volume.originMm();
    List<Read> out = new ArrayList<>();
    NodeList sessions = root.getElementsByTagNameNS("*", "readingSession");
    for (int s = 0; s < sessions.getLength(); s++) {
      Element session = (Element) sessions.item(s);
      String reader = text(session, "servicingRadiologistID", "reader" + s);
      for (Element nodule : children(session, "unblindedReadNodule")) {
        String id = text(nodule, "noduleID", "?");
        double sumX = 0;
        double sumY = 0;
        double sumZ = 0;
        int points = 0;
        double maxArea = 0;
        double zMin = Double.POSITIVE_INFINITY;
        double zMax = Double.NEGATIVE_INFINITY;
        for (Element roi : children(nodule, "roi")) {
          double z = number(roi, "imageZposition", xml);
          boolean inclusion = !"FALSE".equalsIgnoreCase(text(roi, "inclusion", "TRUE"));
          List<Element> edges = children(roi, "edgeMap");
          double[] xs = new double[edges.size()];
          double[] ys = new double[edges.size()];
          for (int i = 0; i < edges.size(); i++) {
            xs[i] = number(edges.get(i), "xCoord", xml);
            ys[i] = number(edges.get(i), "yCoord", xml);
          }
          if (!inclusion || xs.length == 0) {
            continue;
          }
          zMin = Math.min(zMin, z);
          zMax = Math.max(zMax, z);
          for (int i = 0; i < xs.length; i++) {
            sumX += xs[i];
            sumY += ys[i];
            sumZ += z;
            points++;
          }
          maxArea =
              Math.max(
                  maxArea, polygonArea(xs, ys) * volume.rowSpacingMm() * volume.columnSpacingMm());
        }
        if (points == 0) {
          continue;
        }
        double d = maxArea > 0 ? 2 * Math.sqrt(maxArea / Math.PI) : SMALL_NODULE_MM;
        d = Math.max(d, points <= 1 ? SMALL_NODULE_MM : d);
        out.add(
            new Read(
                reader,
                id,
                origin[0] + sumX / points * volume.columnSpacingMm(),
                origin[1] + sumY / points * volume.rowSpacingMm(),
                sumZ / points,
                d,
                zMin,
                zMax));
      }
    }
    return out;
  }

  /** Consensus nodules from the reads; see the class comment. */
  public static List<Nodule> nodules(Path xml, CtVolume volume) throws IOException {
    List<Read> reads = reads(xml, volume);
    List<List<Read>> groups = new ArrayList<>();
    for (Read r : reads) {
      List<Read> best = null;
      double bestDist = Double.MAX_VALUE;
      for (List<Read> g : groups) {
        Read c = mean(g);
        double dist =
            Math.sqrt(sq(c.xMm() - r.xMm()) + sq(c.yMm() - r.yMm()) + sq(c.zMm() - r.zMm()));
        double limit = Math.max(5, Math.max(c.diameterMm(), r.diameterMm()) / 2);
        boolean sameReader = g.stream().anyMatch(x -> x.reader().equals(r.reader()));
        if (dist <= limit && !sameReader && dist < bestDist) {
          best = g;
          bestDist = dist;
        }
      }
      if (best == null) {
        best = new ArrayList<>();
        groups.add(best);
      }
      best.add(r);
    }
    List<Nodule> out = new ArrayList<>();
    for (List<Read> g : groups) {
      Read c = mean(g);
      double zMin = g.stream().mapToDouble(Read::zMinMm).min().orElseThrow();
      double zMax = g.stream().mapToDouble(Read::zMaxMm).max().orElseThrow();
      out.add(
          new Nodule(
              volume.seriesUid(),
              c.xMm(),
              c.yMm(),
              c.zMm(),
              c.diameterMm(),
              zMin,
              zMax,
              g.size(),
              "lidc"));
    }
    return out;
  }

  private static Read mean(List<Read> g) {
    double x = 0;
    double y = 0;
    double z = 0;
    double d = 0;
    for (Read r : g) {
      x += r.xMm();
      y += r.yMm();
      z += r.zMm();
      d += r.diameterMm();
    }
    int n = g.size();
    return new Read("", "", x / n, y / n, z / n, d / n, 0, 0);
  }

  private static double sq(double v) {
    return v * v;
  }

  /** Shoelace area in pixel units of a closed contour. */
  static double polygonArea(double[] xs, double[] ys) {
    double a = 0;
    for (int i = 0; i < xs.length; i++) {
      int j = (i + 1) % xs.length;
      a += xs[i] * ys[j] - xs[j] * ys[i];
    }
    return Math.abs(a) / 2;
  }

  private static Document parse(Path xml) throws IOException {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      // Annotation files come from outside: no external entities, no DTDs.
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setXIncludeAware(false);
      f.setExpandEntityReferences(false);
      try {
        // A real LIDC read nests a handful of levels; a document nested thousands deep is an
        // attack on the parser's stack, not an annotation.
        f.setAttribute("jdk.xml.maxElementDepth", "64");
      } catch (IllegalArgumentException e) {
        // Another JAXP implementation: the StackOverflowError catch below still holds.
      }
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      return b.parse(xml.toFile());
    } catch (SAXException e) {
      throw new UnreadableInputException(xml, "malformed XML: " + e.getMessage(), e);
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      // An unknown declared encoding, a read error inside the parser: name the file.
      throw new UnreadableInputException(xml, "unreadable XML: " + e, e);
    } catch (StackOverflowError e) {
      throw new UnreadableInputException(xml, "XML nested too deeply to be an annotation file");
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Element> children(Element parent, String localName) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && localName.equals(e.getLocalName())) {
        out.add(e);
      }
    }
    return out;
  }

  private static String text(Element parent, String localName, String fallback) {
    List<Element> c = children(parent, localName);
    return c.isEmpty() ? fallback : c.get(0).getTextContent().trim();
  }

  private static double number(Element parent, String localName, Path xml)
      throws UnreadableInputException {
    String t = text(parent, localName, "");
    double v;
    try {
      v = Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw new UnreadableInputException(
          xml, String.format(Locale.ROOT, "<%s> must be a number, got '%s'", localName, t));
    }
    if (!Double.isFinite(v)) {
      throw new UnreadableInputException(
          xml, String.format(Locale.ROOT, "<%s> must be a finite number, got '%s'", localName, t));
    }
    return v;
  }
}
