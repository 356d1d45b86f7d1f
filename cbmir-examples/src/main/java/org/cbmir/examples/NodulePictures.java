package org.cbmir.examples;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.cbmir.api.CtVolume;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.preprocessing.HuWindow;
import org.cbmir.data.DicomSeriesReader;
import org.cbmir.data.Luna16Annotations;
import org.cbmir.data.Nodule;
import org.cbmir.data.NoduleInserter;

/**
 * Draws real LIDC-IDRI nodules beside synthetic ones of the same diameters inserted into the other
 * patient's lungs, in the lung window: the picture in the README.
 *
 * <p>Top row: the real nodules (LIDC-IDRI-0006, 6.7 mm; LIDC-IDRI-0001, 23.4 mm). Bottom row:
 * nodules of the same diameters inserted by {@link NoduleInserter} (into LIDC-IDRI-0001 and -0006
 * respectively). Each tile is 64 x 64 mm around the centre on its nearest slice.
 *
 * <p>Usage: {@code NodulePictures [data folder] [output png]}. Thread-safety: a command-line entry
 * point, not meant to be called concurrently.
 */
public final class NodulePictures {
  private static final int TILE_MM = 64;
  private static final int TILE_PX = 192;

  private NodulePictures() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
    Path out = Path.of(args.length > 1 ? args[1] : "docs/inserted-vs-real.png");
    List<CtVolume> vols =
        new DicomSeriesReader().read(data.resolve("lidc-idri"), VolumeReader.ReadListener.NONE);
    List<Nodule> luna = Luna16Annotations.read(data.resolve("lidc-idri/annotations.csv"));
    List<BufferedImage> real = new ArrayList<>();
    List<BufferedImage> inserted = new ArrayList<>();
    // Sorted by diameter: the 6.7 mm nodule first.
    luna.sort(Comparator.comparingDouble(Nodule::diameterMm));
    for (Nodule n : luna) {
      CtVolume own =
          vols.stream().filter(v -> v.seriesUid().equals(n.seriesUid())).findFirst().orElseThrow();
      CtVolume other = vols.stream().filter(v -> v != own).findFirst().orElseThrow();
      real.add(tile(own, n));
      NoduleInserter.Result r = new NoduleInserter(7).insert(other, List.of(n.diameterMm()));
      inserted.add(tile(r.volume(), r.nodules().get(0)));
    }
    BufferedImage sheet =
        new BufferedImage(
            TILE_PX * real.size() + 4 * (real.size() - 1),
            TILE_PX * 2 + 4,
            BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < real.size(); i++) {
      sheet.getRaster().setRect(i * (TILE_PX + 4), 0, real.get(i).getRaster());
      sheet.getRaster().setRect(i * (TILE_PX + 4), TILE_PX + 4, inserted.get(i).getRaster());
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    ImageIO.write(sheet, "png", out.toFile());
    System.out.println("wrote " + out);
  }

  private static BufferedImage tile(CtVolume v, Nodule n) {
    int k = n.nearestSlice(v);
    BufferedImage img = new BufferedImage(TILE_PX, TILE_PX, BufferedImage.TYPE_BYTE_GRAY);
    double mmPerPx = (double) TILE_MM / TILE_PX;
    for (int y = 0; y < TILE_PX; y++) {
      for (int x = 0; x < TILE_PX; x++) {
        double wx = n.xMm() + (x - TILE_PX / 2.0) * mmPerPx;
        double wy = n.yMm() + (y - TILE_PX / 2.0) * mmPerPx;
        int c = (int) Math.round((wx - v.originMm()[0]) / v.columnSpacingMm());
        int r = (int) Math.round((wy - v.originMm()[1]) / v.rowSpacingMm());
        float hu = c >= 0 && r >= 0 && c < v.width() && r < v.height() ? v.huAt(c, r, k) : -1024;
        img.getRaster().setSample(x, y, 0, Math.round(255 * HuWindow.LUNG.apply(hu)));
      }
    }
    return img;
  }
}
