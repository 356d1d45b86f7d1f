package org.cbmir.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SliceRef;
import org.cbmir.opensearch.NodeLauncher;
import org.cbmir.opensearch.OpenSearchIndexes;
import org.cbmir.opensearch.OpenSearchRetrievalIndex;
import org.cbmir.opensearch.OpenSearchTarget;

/**
 * The in-process index beside the OpenSearch-served one on the same slices, in one run: bulk-load
 * rate and query latency (p50, p99) of the default coarse-to-fine request, one client thread, on a
 * single local node (1 shard, no replica). Not JMH: each OpenSearch query is a few HTTP round trips
 * to another process, and what matters is the latency a caller sees end to end. Run by {@code
 * benchmarks/opensearch.sh}.
 *
 * <p>Usage: {@code OpenSearchPeer <opensearch-home> <knn-plugin.zip> <slices> <queries> <heap>}
 *
 * <p>Thread-safety: a program, single-threaded.
 */
public final class OpenSearchPeer {
  private static final int BITS = 64;
  private static final int DIM = 256;
  private static final int CLUSTERS = 256;
  private static final int PATIENTS = 1000;

  private OpenSearchPeer() {}

  public static void main(String[] args) throws IOException {
    Path home = Path.of(args[0]);
    Path plugin = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    int queries = Integer.parseInt(args[3]);
    String heap = args[4];
    IndexConfig config =
        IndexConfig.builder()
            .bits(BITS)
            .featureDimension(DIM)
            .modelFingerprint(Fixtures.MODEL)
            .expectedSlices(n)
            .build();
    Random rnd = new Random(20261129L);
    long[][] centres = new long[CLUSTERS][];
    float[][] fcentres = new float[CLUSTERS][DIM];
    for (int c = 0; c < CLUSTERS; c++) {
      centres[c] = new long[] {rnd.nextLong()};
      for (int d = 0; d < DIM; d++) {
        fcentres[c][d] = (float) rnd.nextGaussian();
      }
    }
    List<Embedding> slices = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      slices.add(near(rnd, centres, fcentres, 6));
    }
    List<Embedding> qs = new ArrayList<>();
    for (int i = 0; i < queries; i++) {
      qs.add(near(rnd, centres, fcentres, 3));
    }
    System.out.printf(
        Locale.ROOT,
        "opensearch-peer: %d slices, %d-bit codes, D = %d, %d clusters; %d queries, k 10, radius"
            + " 2, pool 1000; node heap %s, 1 shard, 0 replicas, one client thread%n",
        n,
        BITS,
        DIM,
        CLUSTERS,
        queries,
        heap);
    try (NodeLauncher node = NodeLauncher.start(home, plugin, heap);
        RetrievalIndex local = RetrievalIndexes.create(config)) {
      OpenSearchTarget target =
          OpenSearchTarget.builder()
              .endpoint(node.endpoint())
              .indexName("peer")
              .replicas(0)
              .bulkBatchSize(1000)
              .build();
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        local.add(ref(i), slices.get(i));
      }
      double localLoad = (System.nanoTime() - t0) / 1e9;
      try (OpenSearchRetrievalIndex remote = OpenSearchIndexes.create(target, config)) {
        t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          remote.add(ref(i), slices.get(i));
        }
        remote.flush();
        double remoteLoad = (System.nanoTime() - t0) / 1e9;
        line("load in-process", n / localLoad, "slices/s", localLoad);

        line("load opensearch", n / remoteLoad, "slices/s", remoteLoad);
        long store = storeBytes(node, target);
        System.out.printf(
            Locale.ROOT,
            "opensearch store: %.1f MB, %.0f bytes a slice (after a flush, before merging)%n",
            store / 1e6,
            (double) store / n);
        SearchRequest req = SearchRequest.defaults();
        for (int w = 0; w < Math.min(30, queries); w++) {
          local.search(qs.get(w), req);
          remote.search(qs.get(w), req);
        }
        long[] lt = new long[queries];
        long[] rt = new long[queries];
        int differ = 0;
        long pool = 0;
        for (int i = 0; i < queries; i++) {
          long s0 = System.nanoTime();
          var a = local.search(qs.get(i), req);
          long s1 = System.nanoTime();
          var b = remote.search(qs.get(i), req);
          long s2 = System.nanoTime();
          lt[i] = s1 - s0;
          rt[i] = s2 - s1;
          pool += b.poolSize();
          int[] oa = a.hits().stream().mapToInt(Hit::ordinal).toArray();
          int[] ob = b.hits().stream().mapToInt(Hit::ordinal).toArray();
          differ += Arrays.equals(oa, ob) ? 0 : 1;
        }
        Arrays.sort(lt);
        Arrays.sort(rt);
        System.out.printf(
            Locale.ROOT,
            "query in-process: p50 %.3f ms, p99 %.3f ms%n",
            lt[queries / 2] / 1e6,
            lt[(int) (queries * 0.99)] / 1e6);
        System.out.printf(
            Locale.ROOT,
            "query opensearch: p50 %.3f ms, p99 %.3f ms (mean pool %d)%n",
            rt[queries / 2] / 1e6,
            rt[(int) (queries * 0.99)] / 1e6,
            pool / queries);
        System.out.printf(
            Locale.ROOT,
            "ratio opensearch / in-process: load time %.1fx, query p50 %.1fx; top 10 differing in"
                + " %d of %d queries%n",
            remoteLoad / localLoad,
            (double) rt[queries / 2] / lt[queries / 2],
            differ,
            queries);
      } finally {
        OpenSearchIndexes.delete(target);
      }
    }
  }

  /** The index's size on disk, from the node's statistics. */
  private static long storeBytes(NodeLauncher node, OpenSearchTarget target) throws IOException {
    try {
      HttpClient client = HttpClient.newHttpClient();
      String uri = node.endpoint() + "/" + target.indexName();
      client.send(
          HttpRequest.newBuilder(URI.create(uri + "/_flush"))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.discarding());
      String body =
          client
              .send(
                  HttpRequest.newBuilder(URI.create(uri + "/_stats/store")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher m = Pattern.compile("\"size_in_bytes\":(\\d+)").matcher(body);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static void line(String what, double rate, String unit, double seconds) {
    System.out.printf(Locale.ROOT, "%s: %.0f %s (%.1f s)%n", what, rate, unit, seconds);
  }

  private static Embedding near(Random rnd, long[][] centres, float[][] fcentres, int flips) {
    int c = rnd.nextInt(centres.length);
    long code = centres[c][0];
    for (int k = rnd.nextInt(flips + 1); k > 0; k--) {
      code ^= 1L << rnd.nextInt(BITS);
    }
    float[] f = new float[DIM];
    for (int d = 0; d < DIM; d++) {
      f[d] = fcentres[c][d] + 0.3f * (float) rnd.nextGaussian();
    }
    return Embedding.builder()
        .code(new long[] {code}, BITS)
        .fc1(f)
        .modelFingerprint(Fixtures.MODEL)
        .build();
  }

  private static SliceRef ref(int i) {
    int p = i % PATIENTS;
    return SliceRef.builder()
        .patientId("P" + p)
        .seriesUid("1.2." + p)
        .sliceIndex(i / PATIENTS)
        .build();
  }
}
