package org.cbmir.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cbmir.api.CtVolume;

/**
 * Synthetic thorax-like CT volumes with nodules of known size, for self-contained tests and for the
 * demo when no real data is present: air outside a body ellipse with a fat layer, two lungs whose
 * size follows the slice position (small at apex and base), vessels, a spine and ribs, and
 * spherical nodules with partial-volume edges, all with Gaussian noise.
 *
 * <pre>{@code
 * ThoraxPhantom.Result p = ThoraxPhantom.builder().seed(7).size(256).pixelSpacingMm(1.4)
 *     .slices(48, 2.5).addNodule(8.0).addNodule(20.0).build();
 * CtVolume volume = p.volume();
 * List<Nodule> truth = p.nodules();
 * }</pre>
 *
 * <p>Thread-safety: the builder is not thread-safe; results are immutable.
 */
public final class ThoraxPhantom {
  /** HU of lung parenchyma, soft tissue, fat, bone and nodules in the phantom. */
  static final float LUNG = -850;

  static final float SOFT = 40;
  static final float FAT = -100;
  static final float BONE = 700;
  static final float NODULE = 30;
  static final float AIR = -1000;

  /** A generated volume and the nodules in it. Thread-safety: immutable. */
  public record Result(CtVolume volume, List<Nodule> nodules) {}

  private ThoraxPhantom() {}

  /**
   * Writes phantoms as a LUNA16-style archive: each volume as {@code <patientId>.mhd} (+ {@code
   * .raw}, 16-bit) and one {@code annotations.csv} listing every nodule under its file's stem,
   * which the MetaImage reader takes as the series UID. Reading the folder back gives labelled
   * volumes, as a real LUNA16 subset does.
   *
   * @return {@code dir}, created if missing
   */
  public static Path writeArchive(Path dir, List<Result> phantoms) throws IOException {
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder("seriesuid,coordX,coordY,coordZ,diameter_mm\n");
    for (Result r : phantoms) {
      String stem = r.volume().patientId();
      MetaImage.write(r.volume(), dir.resolve(stem + ".mhd"), MetaImage.ElementType.MET_SHORT);
      for (Nodule n : r.nodules()) {
        csv.append(
            String.format(
                Locale.ROOT,
                "%s,%.3f,%.3f,%.3f,%.2f%n",
                stem,
                n.xMm(),
                n.yMm(),
                n.zMm(),
                n.diameterMm()));
      }
    }
    Files.writeString(dir.resolve("annotations.csv"), csv, StandardCharsets.UTF_8);
    return dir;
  }

  /** A builder with a 256x256x32 volume at 1.4 x 1.4 x 2.5 mm and no nodules. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builder for phantoms. Not thread-safe. */
  public static final class Builder {
    private long seed = 1;
    private int size = 256;
    private double spacing = 1.4;
    private int slices = 32;
    private double sliceMm = 2.5;
    private float noiseHu = 15;
    private String patientId = "PHANTOM-1";
    private final List<Double> diameters = new ArrayList<>();

    private Builder() {}

    /** Seed of all randomness (default 1). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Width and height in pixels (default 256). */
    public Builder size(int pixels) {
      this.size = pixels;
      return this;
    }

    /** In-plane pixel spacing in mm (default 1.4). */
    public Builder pixelSpacingMm(double mm) {
      this.spacing = mm;
      return this;
    }

    /** Number of slices and their spacing in mm (default 32 x 2.5). */
    public Builder slices(int count, double mm) {
      this.slices = count;
      this.sliceMm = mm;
      return this;
    }

    /** Standard deviation of the noise in HU (default 15). */
    public Builder noiseHu(float sigma) {
      this.noiseHu = sigma;
      return this;
    }

    /** Patient ID, also used for the study and series UIDs (default PHANTOM-1). */
    public Builder patientId(String id) {
      this.patientId = id;
      return this;
    }

    /** Adds a nodule of this diameter at a random position inside a lung. */
    public Builder addNodule(double diameterMm) {
      if (!(diameterMm > 0)) {
        throw new IllegalArgumentException("nodule diameter must be > 0 mm, got " + diameterMm);
      }
      diameters.add(diameterMm);
      return this;
    }

    /**
     * Generates the volume.
     *
     * @throws IllegalArgumentException if a size or spacing is not positive
     */
    public Result build() {
      if (size < 32 || !(spacing > 0) || slices < 1 || !(sliceMm > 0) || !(noiseHu >= 0)) {
        throw new IllegalArgumentException(
            "phantom needs size >= 32 px, positive spacings and"
                + " >= 1 slice; got "
                + size
                + " px, "
                + spacing
                + " mm, "
                + slices
                + " x "
                + sliceMm
                + " mm");
      }
      Random rnd = new Random(seed);
      int n = size * size;
      float[] hu = new float[n * slices];
      double[] z = new double[slices];
      double fov = size * spacing;
      double originXy = -fov / 2;
      String series = "2.25.phantom." + patientId;
      // Vessels: fixed in-plane positions (relative to each lung), drifting slowly with z.
      int vesselCount = 40;
      double[][] vessels = new double[vesselCount][];
      for (int v = 0; v < vesselCount; v++) {
        vessels[v] =
            new double[] {
              rnd.nextBoolean() ? -1 : 1,
              rnd.nextDouble() * 2 - 1,
              rnd.nextDouble() * 2 - 1,
              0.5 + rnd.nextDouble() * 2.0,
              rnd.nextDouble() * 6
            };
      }
      List<Nodule> nodules = new ArrayList<>();
      List<double[]> placed = new ArrayList<>();
      for (double d : diameters) {
        // Inside a lung, away from its edge, in a slice range where the lungs are large.
        double side = rnd.nextBoolean() ? -1 : 1;
        double zc = (0.3 + 0.4 * rnd.nextDouble()) * (slices - 1) * sliceMm;
        double u = rnd.nextDouble() * 2 * Math.PI;
        double rr = 0.45 * rnd.nextDouble();
        double cx = side * 0.17 * fov + rr * Math.cos(u) * 0.12 * fov;
        double cy = -0.02 * fov + rr * Math.sin(u) * 0.2 * fov;
        placed.add(new double[] {cx, cy, zc, d});
        nodules.add(Nodule.sphere(series, cx, cy, zc, d, 1, "phantom"));
      }
      for (int k = 0; k < slices; k++) {
        z[k] = k * sliceMm;
        double t = slices == 1 ? 0.5 : (double) k / (slices - 1);
        double lungScale = 0.35 + 0.65 * Math.sqrt(Math.sin(Math.PI * (0.08 + 0.84 * t)));
        int off = k * n;
        for (int y = 0; y < size; y++) {
          double py = originXy + y * spacing;
          for (int x = 0; x < size; x++) {
            double px = originXy + x * spacing;
            float v = AIR;
            double body = sq(px / (0.44 * fov)) + sq(py / (0.34 * fov));
            if (body <= 1) {
              v = body > 0.85 ? FAT : SOFT;
              // Ribs: bright spots along an inner ellipse.
              double ang = Math.atan2(py / 0.34, px / 0.44);
              double ring = Math.sqrt(body);
              if (ring > 0.8 && ring < 0.86 && Math.cos(12 * ang) > 0.75) {
                v = BONE;
              }
              // Spine: a vertebral body behind the mediastinum.
              double spine = sq(px / (0.06 * fov)) + sq((py - 0.22 * fov) / (0.06 * fov));
              if (spine <= 1) {
                v = spine > 0.7 ? BONE : 300;
              }
              for (int side = -1; side <= 1; side += 2) {
                double lx = (px - side * 0.17 * fov) / (0.13 * fov * lungScale);
                double ly = (py + 0.02 * fov) / (0.22 * fov * lungScale);
                if (sq(lx) + sq(ly) <= 1) {
                  v = LUNG;
                  for (double[] ves : vessels) {
                    if (ves[0] != side) {
                      continue;
                    }
                    double vx =
                        side * 0.17 * fov
                            + ves[1] * 0.09 * fov * lungScale
                            + Math.sin(z[k] / 20 + ves[4]) * 3;
                    double vy = -0.02 * fov + ves[2] * 0.15 * fov * lungScale;
                    if (sq(px - vx) + sq(py - vy) <= sq(ves[3])) {
                      v = SOFT;
                    }
                  }
                }
              }
            }
            hu[off + y * size + x] = v;
          }
        }
        for (double[] nd : placed) {
          NoduleInserter.paintSphere(
              hu, off, size, size, spacing, spacing, originXy, originXy, z[k], nd[0], nd[1], nd[2],
              nd[3], NODULE, null, 0, rnd);
        }
        if (noiseHu > 0) {
          for (int i = off; i < off + n; i++) {
            hu[i] += (float) (rnd.nextGaussian() * noiseHu);
          }
        }
      }
      CtVolume volume =
          CtVolume.builder()
              .size(size, size)
              .hu(hu)
              .pixelSpacingMm(spacing, spacing)
              .zPositionsMm(z)
              .originMm(originXy, originXy, 0)
              .ids(patientId, "2.25.study." + patientId, series)
              .build();
      return new Result(volume, List.copyOf(nodules));
    }

    private static double sq(double v) {
      return v * v;
    }
  }
}
