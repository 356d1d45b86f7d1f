package org.cbmir.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValueTypesTest {

  @Test
  void noduleClassesFollowThePapersTable() {
    assertEquals(NoduleClass.NONE, NoduleClass.ofDiameterMm(0));
    assertEquals(NoduleClass.D0_5, NoduleClass.ofDiameterMm(0.1));
    assertEquals(NoduleClass.D0_5, NoduleClass.ofDiameterMm(5));
    assertEquals(NoduleClass.D5_6, NoduleClass.ofDiameterMm(5.01));
    assertEquals(NoduleClass.D6_8, NoduleClass.ofDiameterMm(6.7));
    assertEquals(NoduleClass.D8_13, NoduleClass.ofDiameterMm(13));
    assertEquals(NoduleClass.D13_18, NoduleClass.ofDiameterMm(18));
    assertEquals(NoduleClass.D18_23, NoduleClass.ofDiameterMm(23));
    assertEquals(NoduleClass.OVER_23, NoduleClass.ofDiameterMm(23.4));
    for (NoduleClass c : NoduleClass.sizeClasses()) {
      assertEquals(c, NoduleClass.ofLabel(c.label()));
      assertTrue(c.isKnown());
    }
    assertEquals(NoduleClass.COUNT, NoduleClass.sizeClasses().size());
    assertEquals(-1, NoduleClass.UNKNOWN.label());
    assertEquals("8-13 mm", NoduleClass.D8_13.description());
    assertEquals("> 23 mm", NoduleClass.OVER_23.description());
    assertEquals("unknown", NoduleClass.UNKNOWN.description());
    assertThrows(IllegalArgumentException.class, () -> NoduleClass.ofLabel(-1));
    var e = assertThrows(IllegalArgumentException.class, () -> NoduleClass.ofLabel(8));
    assertTrue(e.getMessage().contains("0..7") && e.getMessage().contains("OVER_23"));
    assertThrows(IllegalArgumentException.class, () -> NoduleClass.ofDiameterMm(-1));
    assertThrows(IllegalArgumentException.class, () -> NoduleClass.ofDiameterMm(Double.NaN));
  }

  @Test
  void aReferenceNeverHoldsNullForItsClass() {
    SliceRef ref = new SliceRef("P", "", "1.2", 0, 0, null, Double.NaN);
    assertEquals(NoduleClass.UNKNOWN, ref.noduleClass());
    assertTrue(ref.knownClass().isEmpty());
    assertEquals(
        NoduleClass.UNKNOWN,
        SliceRef.builder().patientId("P").seriesUid("1.2").sliceIndex(0).build().noduleClass());
    assertEquals(NoduleClass.D6_8, ref.toBuilder().noduleDiameterMm(7).build().noduleClass());
  }

  @Test
  void pseudonymsAreKeyedStableAndValidUids() {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (i * 7 + 1);
    }
    IdentifierPolicy a = IdentifierPolicy.pseudonymise(key);
    IdentifierPolicy again = IdentifierPolicy.pseudonymise(key.clone());
    key[0] ^= 1;
    IdentifierPolicy b = IdentifierPolicy.pseudonymise(key);
    String uid = "1.3.6.1.4.1.14519.5.2.1.6279.6001.179049373636438705059720603192";
    assertEquals(a.seriesUid(uid), again.seriesUid(uid), "same key, same pseudonym");
    assertTrue(!a.seriesUid(uid).equals(b.seriesUid(uid)), "another key, another pseudonym");
    assertTrue(
        a.seriesUid(uid).matches("2\\.25\\.[1-9][0-9]*") && a.seriesUid(uid).length() <= 64,
        "a DICOM UID under 2.25: " + a.seriesUid(uid));
    assertTrue(!a.seriesUid(uid).equals(a.studyUid(uid)), "fields are separated");
    assertTrue(a.patientId("LIDC-IDRI-0001").matches("anon-[0-9a-f]{24}"));
    assertEquals("", a.studyUid(""), "an unknown study stays unknown");
    SliceRef ref =
        a.apply(
            SliceRef.builder()
                .patientId("LIDC-IDRI-0001")
                .studyUid("1.2.3")
                .seriesUid(uid)
                .sliceIndex(4)
                .zMm(-10)
                .noduleDiameterMm(9)
                .build());
    assertEquals(a.patientId("LIDC-IDRI-0001"), ref.patientId());
    assertEquals(NoduleClass.D8_13, ref.noduleClass());
    assertEquals(4, ref.sliceIndex());
    assertTrue(a.toString().contains("key withheld"), "the key is never printed: " + a);
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> IdentifierPolicy.pseudonymise(new byte[8]));
    assertTrue(e.getMessage().contains("at least 16 bytes") && e.getMessage().contains("got 8"));
    assertEquals(ref, IdentifierPolicy.keepAsIs().apply(ref));
  }

  @Test
  void progressSaysRateAndTimeLeft() {
    var p =
        new ProgressListener.Progress(
            ProgressListener.Step.ENCODE, 25, 100, java.time.Duration.ofSeconds(5));
    assertEquals(5.0, p.perSecond(), 1e-9);
    assertEquals(java.time.Duration.ofSeconds(15), p.eta().orElseThrow());
    assertTrue(
        new ProgressListener.Progress(ProgressListener.Step.READ, 0, 3, java.time.Duration.ZERO)
            .eta()
            .isEmpty());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new ProgressListener.Progress(
                ProgressListener.Step.SAVE, 2, 1, java.time.Duration.ZERO));
  }

  @Test
  void latentActivationsPackAtOneHalf() {
    float[] latent = new float[70];
    latent[0] = 0.5f;
    latent[1] = 0.49f;
    latent[63] = 0.9f;
    latent[64] = 1f;
    latent[69] = 0.51f;
    Embedding e =
        Embedding.builder().fc1(new float[] {1, 2}).latent(latent).modelFingerprint("m").build();
    assertEquals(70, e.bits());
    assertArrayEquals(new long[] {1L | (1L << 63), 1L | (1L << 5)}, e.code());
    Embedding same =
        Embedding.builder()
            .fc1(new float[] {1, 2})
            .code(e.code(), 70)
            .modelFingerprint("m")
            .build();
    assertEquals(e, same);
    assertEquals(0, e.hammingDistance(same));
  }

  @Test
  void embeddingRejectsBadInput() {
    var b =
        Embedding.builder()
            .fc1(new float[] {1, Float.NaN})
            .code(new long[1], 64)
            .modelFingerprint("m");
    assertTrue(
        assertThrows(IllegalArgumentException.class, b::build).getMessage().contains("fc1[1]"));
    var bits =
        Embedding.builder()
            .fc1(new float[] {1})
            .code(new long[] {1L << 40}, 40)
            .modelFingerprint("m");
    assertTrue(
        assertThrows(IllegalArgumentException.class, bits::build)
            .getMessage()
            .contains("past its length"));
    var words =
        Embedding.builder().fc1(new float[] {1}).code(new long[2], 64).modelFingerprint("m");
    assertThrows(IllegalArgumentException.class, words::build);
    var tooLong =
        Embedding.builder().fc1(new float[] {1}).latent(new float[1025]).modelFingerprint("m");
    assertTrue(
        assertThrows(IllegalArgumentException.class, tooLong::build)
            .getMessage()
            .contains("1..1024"));
    var probs =
        Embedding.builder()
            .fc1(new float[] {1})
            .latent(new float[8])
            .classProbabilities(new float[3])
            .modelFingerprint("m");
    assertThrows(IllegalArgumentException.class, probs::build);
  }

  @Test
  void embeddingIsImmutable() {
    float[] f = {1, 2, 3};
    Embedding e =
        Embedding.builder().fc1(f).latent(new float[] {1, 0}).modelFingerprint("m").build();
    f[0] = 99;
    e.fc1()[1] = 99;
    assertArrayEquals(new float[] {1, 2, 3}, e.fc1());
  }

  @Test
  void searchRequestDefaultsAndChecks() {
    SearchRequest d = SearchRequest.defaults();
    assertEquals(10, d.k());
    assertEquals(SearchMode.COARSE_TO_FINE, d.mode());
    assertEquals(1000, d.minPoolSize());
    assertEquals(
        5000, SearchRequest.builder().k(5000).build().minPoolSize(), "m follows a large k");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> SearchRequest.builder().k(0).build())
            .getMessage()
            .contains("k must be >= 1, got 0"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> SearchRequest.builder().hammingRadius(-1).build())
            .getMessage()
            .contains("-1"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> SearchRequest.builder().k(20).minPoolSize(10).build())
            .getMessage()
            .contains("minPoolSize must be >= k (20), got 10"));
    assertThrows(
        IllegalArgumentException.class, () -> SearchRequest.builder().maxHitsPerPatient(0).build());
    var modeless = SearchRequest.builder().mode(null);
    assertTrue(
        assertThrows(IllegalArgumentException.class, modeless::build)
            .getMessage()
            .contains("EXHAUSTIVE_FC1"));
    SearchRequest r = SearchRequest.builder().excludePatients(List.of("a")).build();
    assertTrue(r.hasFilters());
    assertEquals(r, r.toBuilder().build());
    assertThrows(UnsupportedOperationException.class, () -> r.excludedPatients().add("b"));
    // The default pool follows k through toBuilder; a pool the user chose is kept.
    assertEquals(2000, SearchRequest.defaults().toBuilder().k(2000).build().minPoolSize());
    assertEquals(
        5000,
        SearchRequest.builder().minPoolSize(5000).build().toBuilder().k(20).build().minPoolSize());
  }

  @Test
  void sliceRefBuilderDerivesTheClass() {
    SliceRef ref =
        SliceRef.builder()
            .patientId("p")
            .seriesUid("s")
            .sliceIndex(3)
            .noduleDiameterMm(6.7)
            .build();
    assertEquals(NoduleClass.D6_8, ref.noduleClass());
    assertEquals("", ref.studyUid());
    assertTrue(Double.isNaN(ref.zMm()));
    assertTrue(
        SliceRef.builder()
            .patientId("p")
            .seriesUid("s")
            .sliceIndex(0)
            .build()
            .knownClass()
            .isEmpty());
    assertThrows(
        IllegalArgumentException.class,
        () -> SliceRef.builder().patientId("p").seriesUid("s").build());
    assertThrows(
        IllegalArgumentException.class,
        () -> SliceRef.builder().patientId(" ").seriesUid("s").sliceIndex(0).build());
  }

  @Test
  void sliceAndMaskChecks() {
    var b = CtSlice.builder().size(2, 2).hu(new float[3]).pixelSpacingMm(1, 1);
    assertTrue(
        assertThrows(IllegalArgumentException.class, b::build)
            .getMessage()
            .contains("expected 4 pixels"));
    var s =
        CtSlice.builder().size(2, 1).hu(new float[] {-1000, 40}).pixelSpacingMm(0.7, 0.7).build();
    assertEquals(40f, s.huAt(1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> CtSlice.builder().size(1, 1).hu(new float[1]).pixelSpacingMm(0, 1).build());
    LungMask a = LungMask.of(2, 2, new boolean[] {true, true, false, false});
    LungMask c = LungMask.of(2, 2, new boolean[] {true, false, false, false});
    assertEquals(2.0 / 3, a.dice(c), 1e-12);
    assertEquals(2, a.area());
  }

  @Test
  void volumesAreCheckedLikeSlices() {
    java.util.function.Function<float[], CtVolume.Builder> volume =
        hu ->
            CtVolume.builder()
                .size(2, 1)
                .hu(hu)
                .pixelSpacingMm(0.7, 0.7)
                .zPositionsMm(new double[] {0, 2.5})
                .ids("P", "1.2", "1.2.3");
    assertEquals(2, volume.apply(new float[4]).build().depth());
    String nan =
        assertThrows(
                IllegalArgumentException.class,
                () -> volume.apply(new float[] {0, 0, 0, Float.NaN}).build())
            .getMessage();
    assertTrue(nan.contains("x=1, y=0, slice 1") && nan.contains("NaN"), nan);
    String spacing =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    volume.apply(new float[4]).pixelSpacingMm(Double.POSITIVE_INFINITY, 1).build())
            .getMessage();
    assertTrue(spacing.contains("positive finite"), spacing);
    String z =
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    volume
                        .apply(new float[4])
                        .zPositionsMm(new double[] {0, Double.POSITIVE_INFINITY})
                        .build())
            .getMessage();
    assertTrue(z.contains("finite"), z);
  }

  @Test
  void indexConfigChecks() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IndexConfig.builder().bits(2000).featureDimension(3).modelFingerprint("m").build());
    assertTrue(e.getMessage().contains("1..1024"));
    assertThrows(
        IllegalArgumentException.class,
        () -> IndexConfig.builder().bits(64).featureDimension(3).build());
  }

  @Test
  void missingProviderIsExplained() {
    // cbmir-api alone has no index implementation on its test class path.
    var e =
        assertThrows(
            IllegalStateException.class,
            () ->
                RetrievalIndexes.create(
                    IndexConfig.builder()
                        .bits(64)
                        .featureDimension(2)
                        .modelFingerprint("m")
                        .build()));
    assertTrue(e.getMessage().contains("cbmir-index"), e.getMessage());
    assertEquals(Set.of(), SearchRequest.defaults().allowedClasses());
  }
}
