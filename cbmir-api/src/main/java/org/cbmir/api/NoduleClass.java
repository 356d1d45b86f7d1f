package org.cbmir.api;

import java.util.Arrays;
import java.util.List;

/**
 * The eight nodule-diameter classes of the InRes-Net paper (its Table 2): a slice is labelled with
 * the class of the largest nodule that covers it, or {@link #NONE} when no nodule does; {@link
 * #UNKNOWN} marks a slice nobody annotated (or one too close to a nodule to call nodule-free), so
 * that a reference never holds {@code null}.
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
  OVER_23(7, 23, Double.POSITIVE_INFINITY),
  /**
   * Not known: no annotation covers the slice's series, or the slice lies so close to a nodule that
   * calling it nodule-free would be wrong. Its {@link #label()} is -1 and it is not one of {@link
   * #sizeClasses()}.
   */
  UNKNOWN(-1, Double.NaN, Double.NaN);

  /** Number of size classes (all but {@link #UNKNOWN}), the width of the encoder's FC3 layer. */
  public static final int COUNT = 8;

  private static final NoduleClass[] BY_LABEL = Arrays.copyOf(values(), COUNT);
  private static final List<NoduleClass> SIZE_CLASSES = List.of(BY_LABEL);

  private final int label;
  private final double lowerMm;
  private final double upperMm;

  NoduleClass(int label, double lowerMm, double upperMm) {
    this.label = label;
    this.lowerMm = lowerMm;
    this.upperMm = upperMm;
  }

  /**
   * The eight size classes in label order, {@link #NONE} to {@link #OVER_23}: what a model can
   * predict and an evaluation can judge.
   */
  public static List<NoduleClass> sizeClasses() {
    return SIZE_CLASSES;
  }

  /** Whether this is one of the eight size classes, not {@link #UNKNOWN}. */
  public boolean isKnown() {
    return this != UNKNOWN;
  }

  /**
   * The class in words for people, e.g. {@code "no nodule"}, {@code "<= 5 mm"}, {@code "8-13 mm"},
   * {@code "> 23 mm"}, {@code "unknown"}.
   */
  public String description() {
    return switch (this) {
      case NONE -> "no nodule";
      case D0_5 -> "<= 5 mm";
      case OVER_23 -> "> 23 mm";
      case UNKNOWN -> "unknown";
      default -> (int) lowerMm + "-" + (int) upperMm + " mm";
    };
  }

  /**
   * The integer label (0 to 7) used by the models and the dataset files; -1 for {@link #UNKNOWN}.
   */
  public int label() {
    return label;
  }

  /** Exclusive lower bound of the diameter range in mm (0 for {@link #NONE}, NaN if unknown). */
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
    for (int i = 1; i < COUNT; i++) {
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
          "nodule class label must be in 0.."
              + (COUNT - 1)
              + ", got "
              + label
              + "; valid classes: "
              + Arrays.toString(BY_LABEL));
    }
    return BY_LABEL[label];
  }
}
