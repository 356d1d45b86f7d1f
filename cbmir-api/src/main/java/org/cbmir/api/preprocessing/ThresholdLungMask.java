package org.cbmir.api.preprocessing;

import java.util.Arrays;
import org.cbmir.api.CtSlice;
import org.cbmir.api.LungMask;
import org.cbmir.api.Segmenter;

/**
 * The model-free lung mask of the paper (its Fig. 6), which also labels the U-Net's training data:
 * threshold at -400 HU, drop the air connected to the image border (outside the body, and the
 * scanner's padding), keep the two largest remaining components (the lungs; smaller ones are bowel
 * gas or noise), then fill the holes that vessels and nodules leave inside them.
 *
 * <pre>{@code
 * LungMask mask = ThresholdLungMask.DEFAULT.segment(slice);
 * }</pre>
 *
 * <p>Thread-safety: immutable and thread-safe.
 */
public final class ThresholdLungMask implements Segmenter {
  /** The paper's settings: -400 HU, components under 0.2% of the slice dropped. */
  public static final ThresholdLungMask DEFAULT = new ThresholdLungMask(-400, 0.002);

  private final float thresholdHu;
  private final double minComponentFraction;

  /**
   * @param thresholdHu pixels below this are air or lung
   * @param minComponentFraction a component smaller than this fraction of the slice is dropped even
   *     if it is among the two largest (no lung on this slice)
   */
  public ThresholdLungMask(float thresholdHu, double minComponentFraction) {
    if (!Float.isFinite(thresholdHu)) {
      throw new IllegalArgumentException("threshold must be finite, got " + thresholdHu);
    }
    if (!(minComponentFraction >= 0 && minComponentFraction < 1)) {
      throw new IllegalArgumentException(
          "minComponentFraction must be in [0, 1), got " + minComponentFraction);
    }
    this.thresholdHu = thresholdHu;
    this.minComponentFraction = minComponentFraction;
  }

  @Override
  public LungMask segment(CtSlice slice) {
    int w = slice.width();
    int h = slice.height();
    float[] hu = slice.hu();
    boolean[] air = new boolean[w * h];
    for (int i = 0; i < air.length; i++) {
      air[i] = hu[i] < thresholdHu;
    }
    // Label 4-connected components of air; remember which touch the border.
    int[] label = new int[w * h];
    int[] stack = new int[w * h];
    int labels = 0;
    int[] sizes = new int[16];
    boolean[] border = new boolean[16];
    for (int start = 0; start < air.length; start++) {
      if (!air[start] || label[start] != 0) {
        continue;
      }
      int id = ++labels;
      if (id >= sizes.length) {
        sizes = Arrays.copyOf(sizes, sizes.length * 2);
        border = Arrays.copyOf(border, border.length * 2);
      }
      int sp = 0;
      stack[sp++] = start;
      label[start] = id;
      while (sp > 0) {
        int p = stack[--sp];
        sizes[id]++;
        int x = p % w;
        int y = p / w;
        if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
          border[id] = true;
        }
        if (x > 0 && air[p - 1] && label[p - 1] == 0) {
          label[p - 1] = id;
          stack[sp++] = p - 1;
        }
        if (x < w - 1 && air[p + 1] && label[p + 1] == 0) {
          label[p + 1] = id;
          stack[sp++] = p + 1;
        }
        if (y > 0 && air[p - w] && label[p - w] == 0) {
          label[p - w] = id;
          stack[sp++] = p - w;
        }
        if (y < h - 1 && air[p + w] && label[p + w] == 0) {
          label[p + w] = id;
          stack[sp++] = p + w;
        }
      }
    }
    int first = 0;
    int second = 0;
    for (int id = 1; id <= labels; id++) {
      if (border[id]) {
        continue;
      }
      if (first == 0 || sizes[id] > sizes[first]) {
        second = first;
        first = id;
      } else if (second == 0 || sizes[id] > sizes[second]) {
        second = id;
      }
    }
    int minSize = (int) Math.ceil(minComponentFraction * w * h);
    boolean[] lung = new boolean[w * h];
    for (int i = 0; i < lung.length; i++) {
      int id = label[i];
      lung[i] = id != 0 && (id == first || id == second) && sizes[id] >= Math.max(1, minSize);
    }
    fillHoles(lung, w, h, stack);
    return LungMask.of(w, h, lung);
  }

  /** Sets every non-lung pixel that the border cannot reach through non-lung pixels. */
  static void fillHoles(boolean[] mask, int w, int h, int[] stack) {
    boolean[] outside = new boolean[w * h];
    int sp = 0;
    for (int x = 0; x < w; x++) {
      sp = seed(mask, outside, stack, sp, x);
      sp = seed(mask, outside, stack, sp, (h - 1) * w + x);
    }
    for (int y = 0; y < h; y++) {
      sp = seed(mask, outside, stack, sp, y * w);
      sp = seed(mask, outside, stack, sp, y * w + w - 1);
    }
    while (sp > 0) {
      int p = stack[--sp];
      int x = p % w;
      int y = p / w;
      if (x > 0) {
        sp = seed(mask, outside, stack, sp, p - 1);
      }
      if (x < w - 1) {
        sp = seed(mask, outside, stack, sp, p + 1);
      }
      if (y > 0) {
        sp = seed(mask, outside, stack, sp, p - w);
      }
      if (y < h - 1) {
        sp = seed(mask, outside, stack, sp, p + w);
      }
    }
    for (int i = 0; i < mask.length; i++) {
      if (!outside[i]) {
        mask[i] = true;
      }
    }
  }

  private static int seed(boolean[] mask, boolean[] outside, int[] stack, int sp, int p) {
    if (!mask[p] && !outside[p]) {
      outside[p] = true;
      stack[sp++] = p;
    }
    return sp;
  }

  @Override
  public String toString() {
    return "ThresholdLungMask[" + thresholdHu + " HU]";
  }
}
