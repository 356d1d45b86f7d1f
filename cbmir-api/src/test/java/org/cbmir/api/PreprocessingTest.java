package org.cbmir.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cbmir.api.preprocessing.HuWindow;
import org.cbmir.api.preprocessing.ModelInput;
import org.cbmir.api.preprocessing.Resampling;
import org.cbmir.api.preprocessing.ThresholdLungMask;
import org.junit.jupiter.api.Test;

class PreprocessingTest {

  static CtSlice slice(int w, int h, double spacing, java.util.function.IntBinaryOperator f) {
    float[] hu = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        hu[y * w + x] = f.applyAsInt(x, y);
      }
    }
    return CtSlice.builder().size(w, h).hu(hu).pixelSpacingMm(spacing, spacing).build();
  }

  @Test
  void resamplingKeepsTheFieldOfViewAndLinearRamps() {
    CtSlice s = slice(100, 80, 0.5, (x, y) -> 2 * x);
    CtSlice r = Resampling.resampleSlice(s, 1.0);
    assertEquals(50, r.width());
    assertEquals(40, r.height());
    assertEquals(1.0, r.columnSpacingMm(), 1e-12);
    // Output pixel i samples input position 2i + 0.5: value 2 * (2i + 0.5).
    assertEquals(2 * (2 * 10 + 0.5), r.huAt(10, 7), 1e-4);
    CtSlice constant = Resampling.resampleSlice(slice(33, 17, 0.7, (x, y) -> -700), 1.3);
    for (float v : constant.hu()) {
      assertEquals(-700, v, 1e-4);
    }
    assertThrows(IllegalArgumentException.class, () -> Resampling.resampleSlice(s, 0));
  }

  @Test
  void volumeResamplingInterpolatesAlongZ() {
    float[] hu = new float[4 * 4 * 3];
    for (int k = 0; k < 3; k++) {
      java.util.Arrays.fill(hu, k * 16, (k + 1) * 16, 100 * k);
    }
    CtVolume v =
        CtVolume.builder()
            .size(4, 4)
            .hu(hu)
            .pixelSpacingMm(1, 1)
            .zPositionsMm(new double[] {0, 2.5, 5})
            .ids("p", "", "s")
            .build();
    CtVolume r = Resampling.resampleVolume(v, 1, 1);
    assertEquals(6, r.depth());
    assertEquals(40, r.huAt(1, 1, 1), 1e-4);
    assertEquals(120, r.huAt(1, 1, 3), 1e-4);
    assertEquals(200, r.huAt(1, 1, 5), 1e-4);
  }

  @Test
  void windowsClamp() {
    assertEquals(0f, HuWindow.LUNG.apply(-2000f));
    assertEquals(1f, HuWindow.LUNG.apply(500f));
    assertEquals(0.5f, HuWindow.LUNG.apply(-600f), 1e-6);
    assertEquals(0.5f, HuWindow.MEDIASTINUM.apply(new float[] {40f})[0], 1e-6);
    assertThrows(IllegalArgumentException.class, () -> new HuWindow(0, 0));
  }

  @Test
  void thresholdMaskDropsOutsideAirKeepsTwoLungsFillsHoles() {
    // Body disc with two "lungs"; a vessel inside the left lung; a small gas bubble; air outside.
    CtSlice s =
        slice(
            120,
            100,
            1.0,
            (x, y) -> {
              double body = Math.pow((x - 60) / 55.0, 2) + Math.pow((y - 50) / 45.0, 2);
              if (body > 1) {
                return -1000;
              }
              boolean left = Math.pow((x - 35) / 18.0, 2) + Math.pow((y - 50) / 30.0, 2) <= 1;
              boolean right = Math.pow((x - 85) / 18.0, 2) + Math.pow((y - 50) / 30.0, 2) <= 1;
              boolean vessel = Math.pow(x - 35, 2) + Math.pow(y - 50, 2) <= 9;
              boolean bubble = Math.pow(x - 60, 2) + Math.pow(y - 85, 2) <= 4;
              return vessel ? 40 : left || right ? -850 : bubble ? -900 : 30;
            });
    LungMask m = ThresholdLungMask.DEFAULT.segment(s);
    assertFalse(m.isLung(1, 1), "outside air");
    assertTrue(m.isLung(35, 40) && m.isLung(85, 50), "both lungs");
    assertTrue(m.isLung(35, 50), "the vessel hole is filled");
    assertFalse(m.isLung(60, 85), "the small bubble is not a lung");
    assertFalse(m.isLung(60, 50), "mediastinum");
  }

  @Test
  void modelInputCentresAndPads() {
    CtSlice s = slice(100, 100, 2.0, (x, y) -> x == 50 && y == 50 ? 500 : -500);
    CtSlice in = new ModelInput(256, 1.0).prepare(s);
    assertEquals(256, in.width());
    assertEquals(ModelInput.PAD_HU, in.huAt(0, 0), "padding is air");
    assertEquals(-500, in.huAt(128, 30), 1e-3);
    double[] p = new ModelInput(256, 1.0).toModelPixel(s, 50, 50);
    assertTrue(in.huAt((int) Math.round(p[0]), (int) Math.round(p[1])) > 0, "bright pixel lands");
  }
}
