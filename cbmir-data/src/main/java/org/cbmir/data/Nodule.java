package org.cbmir.data;

import java.util.Objects;
import org.cbmir.api.CtVolume;
import org.cbmir.api.NoduleClass;

/**
 * A nodule in patient (world) coordinates: centre, diameter and the z-range it covers, with how
 * many radiologists marked it and where the annotation came from.
 *
 * <p>Thread-safety: immutable, safe to share.
 *
 * @param seriesUid the series the nodule was annotated on
 * @param xMm centre x in mm (patient coordinates, as ImagePositionPatient)
 * @param yMm centre y in mm
 * @param zMm centre z in mm
 * @param diameterMm diameter in mm, {@code > 0}
 * @param zMinMm lowest slice position the nodule covers
 * @param zMaxMm highest slice position the nodule covers
 * @param readers number of radiologists who marked it (1 for LUNA16 rows, which are consensus)
 * @param source where it came from: "luna16", "lidc", "inserted" or "phantom"
 */
public record Nodule(
    String seriesUid,
    double xMm,
    double yMm,
    double zMm,
    double diameterMm,
    double zMinMm,
    double zMaxMm,
    int readers,
    String source) {

  /** Checks the fields. */
  public Nodule {
    Objects.requireNonNull(seriesUid, "seriesUid");
    Objects.requireNonNull(source, "source");
    if (!(diameterMm > 0)
        || !Double.isFinite(diameterMm)
        || !Double.isFinite(xMm)
        || !Double.isFinite(yMm)
        || !Double.isFinite(zMm)
        || !(zMinMm <= zMaxMm)) {
      throw new IllegalArgumentException(
          "nodule needs a finite centre, a positive diameter and"
              + " zMin <= zMax; got centre ("
              + xMm
              + ", "
              + yMm
              + ", "
              + zMm
              + "), diameter "
              + diameterMm
              + ", z "
              + zMinMm
              + ".."
              + zMaxMm);
    }
  }

  /** A spherical nodule covering {@code zMm ± diameter/2}. */
  public static Nodule sphere(
      String seriesUid, double x, double y, double z, double diameter, int readers, String source) {
    return new Nodule(
        seriesUid, x, y, z, diameter, z - diameter / 2, z + diameter / 2, readers, source);
  }

  /** The paper's class of this nodule's diameter. */
  public NoduleClass noduleClass() {
    return NoduleClass.ofDiameterMm(diameterMm);
  }

  /** Column (x pixel) of the centre in the volume, fractional. */
  public double column(CtVolume v) {
    return (xMm - v.originMm()[0]) / v.columnSpacingMm();
  }

  /** Row (y pixel) of the centre in the volume, fractional. */
  public double row(CtVolume v) {
    return (yMm - v.originMm()[1]) / v.rowSpacingMm();
  }

  /** Index of the slice nearest the centre. */
  public int nearestSlice(CtVolume v) {
    int best = 0;
    for (int k = 1; k < v.depth(); k++) {
      if (Math.abs(v.zMm(k) - zMm) < Math.abs(v.zMm(best) - zMm)) {
        best = k;
      }
    }
    return best;
  }

  /** Whether the centre lies inside the volume's extent (half a voxel of slack at the edges). */
  public boolean isInside(CtVolume v) {
    double c = column(v);
    double r = row(v);
    double half = v.depth() > 1 ? (v.zMm(1) - v.zMm(0)) / 2 : 1;
    return c >= -0.5
        && c <= v.width() - 0.5
        && r >= -0.5
        && r <= v.height() - 0.5
        && zMm >= v.zMm(0) - half
        && zMm <= v.zMm(v.depth() - 1) + half;
  }
}
