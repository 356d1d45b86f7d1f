package org.cbmir.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.cbmir.api.CtSlice;
import org.cbmir.api.Embedding;
import org.cbmir.api.Encoder;
import org.cbmir.api.LungMask;
import org.cbmir.api.Models;
import org.cbmir.api.Segmenter;
import org.cbmir.api.UnreadableInputException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelsTest {
  @TempDir Path dir;

  private static void assertClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= tol, what + ": largest difference " + worst);
  }

  @Test
  void goldenOutputsMatchPyTorch() throws IOException {
    try (OnnxSegmenter seg =
            OnnxSegmenter.builder().executionProvider(ExecutionProvider.CPU).build();
        OnnxEncoder enc = OnnxEncoder.builder().executionProvider(ExecutionProvider.CPU).build()) {
      assertClose(
          Golden.tensor("unet_mask"),
          seg.probabilities(Golden.tensor("unet_input")),
          1e-4,
          "U-Net mask");
      Map<String, float[]> out = enc.runRaw(new float[][] {Golden.tensor("encoder_input")});
      assertClose(Golden.tensor("encoder_fc1"), out.get("fc1"), 1e-4, "fc1");
      assertClose(Golden.tensor("encoder_latent"), out.get("latent"), 1e-4, "latent");
      assertClose(Golden.tensor("encoder_logits"), out.get("logits"), 1e-4, "logits");
    }
  }

  @Test
  void cardsDescribeTheShippedFiles() throws IOException {
    try (OnnxSegmenter seg = OnnxSegmenter.builder().build();
        OnnxEncoder enc = OnnxEncoder.builder().build()) {
      String unetCard = Golden.resource("/org/cbmir/onnx/models/lung-unet.card.json");
      String encCard = Golden.resource("/org/cbmir/onnx/models/inresnet.card.json");
      assertEquals(Golden.field(unetCard, "sha256"), seg.modelFingerprint());
      assertEquals(Golden.field(encCard, "sha256"), enc.modelFingerprint());
      assertEquals(Integer.parseInt(Golden.field(encCard, "bits")), enc.bits());
      assertEquals(Integer.parseInt(Golden.field(encCard, "fc1")), enc.featureDimension());
      assertEquals(
          Double.parseDouble(Golden.field(encCard, "pixelSpacingMm")),
          enc.modelInput().spacingMm());
    }
  }

  @Test
  void autoFallsBackToTheCpuWithoutAGpuAndCudaRefuses() throws IOException {
    Assumptions.assumeFalse(Boolean.getBoolean("cbmir.test.gpu"), "GPU run: see gpuIsUsed");
    try (OnnxEncoder enc =
        OnnxEncoder.builder().executionProvider(ExecutionProvider.AUTO).build()) {
      assertEquals(ExecutionProvider.CPU, enc.executionProvider());
    }
    UnreadableInputException e =
        assertThrows(
            UnreadableInputException.class,
            () -> OnnxEncoder.builder().executionProvider(ExecutionProvider.CUDA).build());
    assertTrue(e.getMessage().contains("CUDA") && e.getMessage().contains("AUTO"), e.getMessage());
  }

  @Test
  void gpuIsUsedWhereAsked() throws IOException {
    Assumptions.assumeTrue(
        Boolean.getBoolean("cbmir.test.gpu"),
        "set -Dcbmir.test.gpu=true on a machine with a CUDA 12 GPU and onnxruntime_gpu");
    try (OnnxEncoder enc =
        OnnxEncoder.builder().executionProvider(ExecutionProvider.CUDA).build()) {
      assertEquals(ExecutionProvider.CUDA, enc.executionProvider());
    }
  }

  @Test
  void endToEndThroughServiceLoader() throws IOException {
    float[] hu = new float[300 * 300];
    for (int y = 0; y < 300; y++) {
      for (int x = 0; x < 300; x++) {
        double body = Math.pow((x - 150) / 130.0, 2) + Math.pow((y - 150) / 100.0, 2);
        double lung =
            Math.min(
                Math.pow((x - 95) / 40.0, 2) + Math.pow((y - 150) / 70.0, 2),
                Math.pow((x - 205) / 40.0, 2) + Math.pow((y - 150) / 70.0, 2));
        hu[y * 300 + x] = body > 1 ? -1000 : lung <= 1 ? -850 : 40;
      }
    }
    CtSlice slice = CtSlice.builder().size(300, 300).hu(hu).pixelSpacingMm(1, 1).build();
    try (Segmenter seg = Models.segmenter();
        Encoder enc = Models.encoder()) {
      LungMask mask = seg.segment(slice);
      assertEquals(300, mask.width());
      Embedding e = enc.encode(slice, mask);
      assertEquals(enc.bits(), e.bits());
      assertEquals(enc.modelFingerprint(), e.modelFingerprint());
      float sum = 0;
      for (float p : e.classProbabilities()) {
        sum += p;
      }
      assertEquals(1.0, sum, 1e-5);
      // Batching gives the same answer as one at a time.
      assertEquals(
          e, enc.encodeAll(java.util.List.of(slice, slice), java.util.List.of(mask, mask)).get(1));
    }
  }

  @Test
  void badModelsAreExplained() throws IOException {
    Path junk = dir.resolve("junk.onnx");
    Files.writeString(junk, "not a model");
    // A model that cannot be used is a checked IOException, as an index or a CT file is.
    UnreadableInputException e =
        assertThrows(
            UnreadableInputException.class, () -> OnnxEncoder.builder().model(junk).build());
    assertTrue(e.getMessage().contains("cannot be loaded"), e.getMessage());
    assertThrows(
        NoSuchFileException.class,
        () -> OnnxEncoder.builder().model(dir.resolve("missing.onnx")).build());
    Path unet = dir.resolve("unet.onnx");
    try (var in = getClass().getResourceAsStream(OnnxSegmenter.SHIPPED)) {
      Files.write(unet, in.readAllBytes());
    }
    UnreadableInputException wrong =
        assertThrows(
            UnreadableInputException.class, () -> OnnxEncoder.builder().model(unet).build());
    assertTrue(
        wrong.getMessage().contains("no output 'fc1'") && wrong.getMessage().contains("[mask]"),
        wrong.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> OnnxEncoder.builder().intraOpThreads(0).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> OnnxSegmenter.builder().executionProvider(null).build());
  }

  @Test
  void closeTwiceIsHarmlessUseAfterCloseFails() throws IOException {
    OnnxSegmenter seg = OnnxSegmenter.builder().build();
    seg.close();
    seg.close();
    CtSlice s = CtSlice.builder().size(8, 8).hu(new float[64]).pixelSpacingMm(1, 1).build();
    assertThrows(IllegalStateException.class, () -> seg.segment(s));
  }
}
