package org.cbmir.api;

import java.util.Objects;

/**
 * A binary lung-parenchyma mask on the pixel grid of a {@link CtSlice}, row-major.
 *
 * <p>Thread-safety: immutable (the mask is copied in and out), safe to share.
 */
public final class LungMask {
  private final int width;
  private final int height;
  private final boolean[] lung;
  private final int area;

  private LungMask(int width, int height, boolean[] lung) {
    this.width = width;
    this.height = height;
    this.lung = lung;
    int a = 0;
    for (boolean b : lung) {
      if (b) {
        a++;
      }
    }
    this.area = a;
  }

  /**
   * A mask from row-major flags ({@code true} = lung); the array is copied.
   *
   * @throws IllegalArgumentException if the size is not positive or does not match the array
   */
  public static LungMask of(int width, int height, boolean[] lung) {
    Objects.requireNonNull(lung, "lung");
    if (width <= 0 || height <= 0 || lung.length != (long) width * height) {
      throw new IllegalArgumentException(
          "expected "
              + width
              + "x"
              + height
              + " = "
              + ((long) width * height)
              + " mask pixels with a positive size, got "
              + lung.length);
    }
    return new LungMask(width, height, lung.clone());
  }

  /** Number of columns. */
  public int width() {
    return width;
  }

  /** Number of rows. */
  public int height() {
    return height;
  }

  /** Whether the pixel at column {@code x}, row {@code y} is lung. */
  public boolean isLung(int x, int y) {
    Objects.checkIndex(x, width);
    Objects.checkIndex(y, height);
    return lung[y * width + x];
  }

  /** Number of lung pixels. */
  public int area() {
    return area;
  }

  /** A copy of the flags, row-major. */
  public boolean[] toArray() {
    return lung.clone();
  }

  /**
   * Dice overlap {@code 2|A∩B| / (|A|+|B|)} with another mask of the same size; 1 when both are
   * empty.
   */
  public double dice(LungMask other) {
    if (other.width != width || other.height != height) {
      throw new IllegalArgumentException(
          "masks differ in size: "
              + width
              + "x"
              + height
              + " vs "
              + other.width
              + "x"
              + other.height);
    }
    int both = 0;
    for (int i = 0; i < lung.length; i++) {
      if (lung[i] && other.lung[i]) {
        both++;
      }
    }
    int sum = area + other.area;
    return sum == 0 ? 1.0 : 2.0 * both / sum;
  }

  @Override
  public String toString() {
    return "LungMask[" + width + "x" + height + ", area=" + area + "]";
  }
}
