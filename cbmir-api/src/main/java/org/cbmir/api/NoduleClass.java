package org.cbmir.api;

import java.util.Arrays;

/**
 * The eight nodule-diameter classes of the InRes-Net paper (its Table 2): a slice is labelled with
 * the class of the largest nodule that covers it, or {@link #NONE} when no nodule does.
 *
 * <p>Class boundaries are left-open, right-closed intervals in millimetres, e.g. {@link #D5_6}
 * holds diameters in (5, 6].
 *
 * <p>Thread-safety: enum constants are immutable and safe to share.
 */
public enum NoduleClass {
  /** No nodule on the slice. */
  NONE(0, 0, 0),
  /** Diameter in (0, 5] mm. */
  D0_5(1, 0, 5),
  /** Diameter in (5, 6] mm. */
  D5_6(2, 5, 6),
  /** Diameter in (6, 8] mm. */
  D6_8(3, 6, 8),
  /** Diameter in (8, 13] mm. */
  D8_13(4, 8, 13),
  /** Diameter in (13, 18] mm. */
  D13_18(5, 13, 18),
  /** Diameter in (18, 23] mm. */
  D18_23(6, 18, 23),
  /** Diameter above 23 mm. */
  OVER_23(7, 23, Double.POSITIVE_INFINITY);

  /** Number of classes, the width of the encoder's FC3 layer. */
  public static final int COUNT = 8;

  private static final NoduleClass[] BY_LABEL = values();

  private final int label;
  private final double lowerMm;
  private final double upperMm;

  NoduleClass(int label, double lowerMm, double upperMm) {
    this.label = label;
    this.lowerMm = lowerMm;
    this.upperMm = upperMm;
  }

  /** The integer label (0 to 7) used by the models and the dataset files. */
  public int label() {
    return label;
  }

  /** Exclusive lower bound of the diameter range in mm (0 for {@link #NONE}). */
  public double lowerMm() {
    return lowerMm;
  }

  /** Inclusive upper bound of the diameter range in mm (infinite for {@link #OVER_23}). */
  public double upperMm() {
    return upperMm;
  }

  /**
   * The class of a nodule of the given diameter; a diameter of 0 means no nodule.
   *
   * @throws IllegalArgumentException if the diameter is negative, NaN or infinite
   */
  public static NoduleClass ofDiameterMm(double diameterMm) {
    if (!(diameterMm >= 0) || Double.isInfinite(diameterMm)) {
      throw new IllegalArgumentException(
          "nodule diameter must be a finite number >= 0 mm, got " + diameterMm);
    }
    if (diameterMm == 0) {
      return NONE;
    }
    for (int i = 1; i < BY_LABEL.length; i++) {
      if (diameterMm <= BY_LABEL[i].upperMm) {
        return BY_LABEL[i];
      }
    }
    return OVER_23;
  }

  /**
   * The class with the given integer label.
   *
   * @throws IllegalArgumentException if the label is outside 0..7
   */
  public static NoduleClass ofLabel(int label) {
    if (label < 0 || label >= COUNT) {
      throw new IllegalArgumentException(
          "nodule class label must be in 0.." + (COUNT - 1) + ", got " + label
              + "; valid classes: " + Arrays.toString(BY_LABEL));
    }
    return BY_LABEL[label];
  }
}
