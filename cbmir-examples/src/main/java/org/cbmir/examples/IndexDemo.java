package org.cbmir.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchMode;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;

/**
 * The index alone at scale: builds a retrieval index of 200,000 synthetic embeddings (no CT, no
 * model), searches it coarse to fine and exhaustively, saves it, reopens it and checks that the
 * answers agree.
 *
 * <p>Synthetic slices belong to 40 "patients"; each slice's FC1 features are drawn around one of 8
 * class prototypes, and its hash code is the sign pattern of 64 random projections of its features
 * (LSH: what InRes-Net's latent layer starts from), so Hamming and Euclidean distances agree
 * roughly, as they do for a trained encoder. A query drawn near a prototype should return slices of
 * that class.
 *
 * <p>Thread-safety: a command-line entry point, not meant to be called concurrently.
 */
public final class IndexDemo {
  private static final String MODEL = "synthetic-demo-model";
  private static final int BITS = 64;
  private static final int DIM = 256;

  private IndexDemo() {}

  /** Entry point; see the class comment for the arguments. */
  public static void main(String[] args) throws IOException {
    int n = args.length > 0 && !args[0].isBlank() ? Integer.parseInt(args[0].trim()) : 200_000;
    Random rnd = new Random(2026);
    float[][] projections = new float[BITS][DIM];
    for (float[] row : projections) {
      for (int d = 0; d < DIM; d++) {
        row[d] = (float) rnd.nextGaussian();
      }
    }
    float[][] protoFeatures = new float[NoduleClass.COUNT][DIM];
    for (int c = 0; c < NoduleClass.COUNT; c++) {
      for (int d = 0; d < DIM; d++) {
        protoFeatures[c][d] = (float) rnd.nextGaussian();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "cbmir demo: %d synthetic slices (%d-bit codes, %d-d FC1 features)%n",
        n,
        BITS,
        DIM);
    IndexConfig config =
        IndexConfig.builder()
            .bits(BITS)
            .featureDimension(DIM)
            .modelFingerprint(MODEL)
            .expectedSlices(n)
            .build();
    Path file = Files.createTempFile("cbmir-demo", ".cbmir");
    try (RetrievalIndex index = RetrievalIndexes.create(config)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int cls = i % NoduleClass.COUNT;
        SliceRef ref =
            SliceRef.builder()
                .patientId("DEMO-" + (i % 40))
                .seriesUid("S" + (i % 40))
                .sliceIndex(i / 40)
                .noduleClass(NoduleClass.ofLabel(cls))
                .build();
        index.add(ref, near(projections, protoFeatures[cls], 0.5f, rnd));
      }
      System.out.printf(Locale.ROOT, "indexed in %.0f ms%n", (System.nanoTime() - t0) / 1e6);

      int correct = 0;
      int queries = 0;
      for (int cls = 0; cls < NoduleClass.COUNT; cls++) {
        Embedding query = near(projections, protoFeatures[cls], 0.5f, rnd);
        SearchRequest request =
            SearchRequest.builder().k(10).excludePatients(List.of("DEMO-0")).build();
        long q0 = System.nanoTime();
        SearchResult r = index.search(query, request);
        double ms = (System.nanoTime() - q0) / 1e6;
        SearchResult exact =
            index.search(query, request.toBuilder().mode(SearchMode.EXHAUSTIVE_FC1).build());
        int same = 0;
        for (Hit h : r.hits()) {
          same += h.ref().noduleClass() == NoduleClass.ofLabel(cls) ? 1 : 0;
        }
        // In 256 dimensions the ten nearest of 25,000 near-equidistant slices are a lottery, so
        // compare how near they are rather than which they are.
        float tenth = r.hits().get(r.hits().size() - 1).featureDistance();
        float exactTenth = exact.hits().get(exact.hits().size() - 1).featureDistance();
        correct += same;
        queries += r.hits().size();
        System.out.printf(
            Locale.ROOT,
            "query class %-8s %-19s pool=%5d (radius %2d) fine=%.2f%% "
                + "%6.2f ms  same class %2d/10, 10th-hit distance %.2f (exhaustive %.2f)%n",
            NoduleClass.ofLabel(cls),
            r.strategy(),
            r.poolSize(),
            r.radiusUsed(),
            100 * r.fineStageFraction(),
            ms,
            same,
            tenth,
            exactTenth);
      }
      System.out.printf(
          Locale.ROOT,
          "precision@10 over %d queries: %.3f%n",
          NoduleClass.COUNT,
          (double) correct / queries);
      index.save(file);
      try (RetrievalIndex reopened = RetrievalIndexes.open(file, MODEL)) {
        Embedding query = near(projections, protoFeatures[3], 0.5f, rnd);
        boolean same =
            index
                .search(query, SearchRequest.defaults())
                .hits()
                .equals(reopened.search(query, SearchRequest.defaults()).hits());
        System.out.printf(
            Locale.ROOT,
            "saved %d MiB to %s and reopened: same answers %s%n",
            Files.size(file) >> 20,
            file,
            same);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** A slice near a prototype: Gaussian feature noise, code = signs of the projections. */
  private static Embedding near(float[][] projections, float[] features, float noise, Random rnd) {
    float[] f = features.clone();
    for (int d = 0; d < f.length; d++) {
      f[d] += noise * (float) rnd.nextGaussian();
    }
    long code = 0;
    for (int b = 0; b < BITS; b++) {
      double dot = 0;
      for (int d = 0; d < f.length; d++) {
        dot += projections[b][d] * f[d];
      }
      code |= dot >= 0 ? 1L << b : 0;
    }
    return Embedding.builder().code(new long[] {code}, BITS).fc1(f).modelFingerprint(MODEL).build();
  }
}
