package org.cbmir.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cbmir.api.CoarseStrategy;
import org.cbmir.api.Embedding;
import org.cbmir.api.Hit;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;

/**
 * The search semantics of {@code docs/SEARCH.md} as OpenSearch requests, scored exactly by the k-NN
 * plugin's {@code knn_score} script (no approximate graph):
 *
 * <ol>
 *   <li>the coarse radius: the Hamming distance of the {@code target}-th eligible slice in Hamming
 *       order ({@code from = target - 1, size = 1}, the filters as a bool filter), at least the
 *       request's radius; the same request counts the eligible slices;
 *   <li>the pool, every eligible slice within that radius ({@code min_score} on the Hamming score),
 *       ranked by FC1 distance, ties by ordinal, read page by page ({@code search_after}) until the
 *       per-patient cap leaves k hits.
 * </ol>
 *
 * <p>All requests of one search read one point-in-time view of the index, opened after the caller's
 * writes were refreshed and closed at the end: writes and refreshes by other threads or processes
 * in between cannot make its steps disagree.
 *
 * <p>The node's scores are {@code 1 / (1 + H)} and {@code 1 / (1 + D²)} in float; the hits' Hamming
 * and FC1 distances are computed here from the documents, so they are exact, and the order is the
 * node's (two hits whose distances differ by less than a float's precision may swap, which the
 * contract allows).
 *
 * <p>Thread-safety: stateless; any number of searches may run at once.
 */
final class ExactSearch {
  private static final String[] SOURCE = {
    Documents.ORDINAL,
    Documents.PATIENT,
    Documents.STUDY,
    Documents.SERIES,
    Documents.SLICE,
    Documents.Z,
    Documents.CLASS,
    Documents.DIAMETER,
    Documents.CODE,
    Documents.FC1
  };

  /** How long a point-in-time view outlives its last request, should closing it fail. */
  private static final String KEEP_ALIVE = "1m";

  /**
   * The oldest a shared point-in-time view may be: the node's default refresh interval, so that a
   * search sees other processes' writes about as soon as the node shows them at all.
   */
  static final long MAX_VIEW_AGE_MS = 1000;

  /** Ranks deeper than this are only asked for once the eligible slices are counted. */
  private static final int DEEP_RANK = 10_000;

  private final Node node;
  private final int bits;
  private final Views views;

  ExactSearch(Node node, int bits) {
    this.node = node;
    this.bits = bits;
    this.views = new Views(node, KEEP_ALIVE, MAX_VIEW_AGE_MS);
  }

  /**
   * Searches in a point-in-time view no older than {@value #MAX_VIEW_AGE_MS} ms and opened after
   * the caller's refresh {@code generation}.
   */
  SearchResult search(Embedding query, SearchRequest req, long generation) {
    Views.View view = views.acquire(generation);
    try {
      return search(query, req, view.id());
    } finally {
      views.release(view);
    }
  }

  /** Closes the shared point-in-time views that no search uses. */
  void closeViews() {
    views.closeAll();
  }

  private SearchResult search(Embedding query, SearchRequest req, String pit) {
    int[] qcode = Documents.codeBytes(query.code(), bits);
    float[] qf = query.fc1();
    ObjectNode eligible = eligible(req);
    int k = req.k();
    int cap = req.maxHitsPerPatient();
    switch (req.mode()) {
      case EXHAUSTIVE_FC1 -> {
        Walk w = walk(byFc1(eligible, qf), k, cap, Integer.MAX_VALUE, qcode, qf, pit);
        return new SearchResult(w.hits, CoarseStrategy.NONE, -1, w.total, w.total, w.total);
      }
      case HAMMING -> {
        int m = k;
        while (true) {
          // The first page counts the eligible slices; at most m are read.
          Walk w = walk(byHamming(eligible, qcode, -1), k, cap, m, qcode, qf, pit);
          int live = w.total;
          if (w.hits.size() >= k || m >= live) {
            // The pool is the first `taken` slices in Hamming order, even where the walk stopped
            // earlier; its radius is the last one's distance.
            int taken = Math.min(m, live);
            int radius =
                taken == 0
                    ? 0
                    : w.read == taken
                        ? w.lastHamming
                        : rank(eligible, qcode, taken, false, pit).hamming();
            return new SearchResult(w.hits, CoarseStrategy.LINEAR_SCAN, radius, taken, 0, live);
          }
          m = (int) Math.min((long) m * 4, live);
        }
      }
      default -> {
        int m = req.minPoolSize();
        int live = -1;
        while (true) {
          // One request finds the m-th slice in Hamming order and, the first time, counts the
          // eligible ones; only when there are fewer than m does the last one need a second.
          if (live < 0 && m > DEEP_RANK) {
            // Never ask the node to rank deeper than there are slices: it keeps that many.
            live = rank(eligible, qcode, 1, true, pit).total();
          }
          Rank at = rank(eligible, qcode, live < 0 ? m : Math.min(m, live), live < 0, pit);
          if (live < 0) {
            live = at.total();
          }
          int target = Math.min(m, live);
          int radius = Math.min(req.hammingRadius(), bits);
          if (target > 0) {
            int h =
                at.hamming() >= 0
                    ? at.hamming()
                    : rank(eligible, qcode, target, false, pit).hamming();
            radius = Math.max(radius, h);
          }
          Walk w =
              walk(
                  byFc1(byHamming(eligible, qcode, radius), qf),
                  k,
                  cap,
                  Integer.MAX_VALUE,
                  qcode,
                  qf,
                  pit);
          if (w.hits.size() >= k || w.total >= live) {
            return new SearchResult(
                w.hits, CoarseStrategy.LINEAR_SCAN, radius, w.total, w.total, live);
          }
          m = (int) Math.min((long) m * 4, live);
        }
      }
    }
  }

  /** Live slices passing the request's filters, as a bool filter. */
  private static ObjectNode eligible(SearchRequest req) {
    ObjectNode query = Node.JSON.createObjectNode();
    ObjectNode bool = query.putObject("bool");
    ArrayNode filter = bool.putArray("filter");
    filter.addObject().putObject("term").put(Documents.REMOVED, false);
    if (!req.allowedClasses().isEmpty()) {
      ArrayNode names = filter.addObject().putObject("terms").putArray(Documents.CLASS);
      for (NoduleClass c : req.allowedClasses()) {
        names.add(c.name());
      }
    }
    ArrayNode mustNot = bool.putArray("must_not");
    if (!req.excludedPatients().isEmpty()) {
      ArrayNode ids = mustNot.addObject().putObject("terms").putArray(Documents.PATIENT);
      req.excludedPatients().forEach(ids::add);
    }
    if (!req.excludedSeries().isEmpty()) {
      ArrayNode ids = mustNot.addObject().putObject("terms").putArray(Documents.SERIES);
      req.excludedSeries().forEach(ids::add);
    }
    return query;
  }

  /**
   * {@code inner} scored by Hamming similarity {@code 1 / (1 + H)}; with {@code radius >= 0}, only
   * the slices with {@code H <= radius}.
   */
  private static ObjectNode byHamming(ObjectNode inner, int[] qcode, int radius) {
    ObjectNode s = script(inner, Documents.CODE, Documents.array(qcode), "hamming");
    if (radius >= 0) {
      // Halfway between the scores of H = radius and H = radius + 1: far apart next to a float's
      // rounding, so the cut is exact.
      double min = 0.5 / (1.0 + radius) + 0.5 / (2.0 + radius);
      ((ObjectNode) s.get("script_score")).put("min_score", (float) min);
    }
    return s;
  }

  /** {@code inner} scored by FC1 similarity {@code 1 / (1 + D²)}. */
  private static ObjectNode byFc1(ObjectNode inner, float[] qf) {
    return script(inner, Documents.FC1, Documents.array(qf), "l2");
  }

  private static ObjectNode script(ObjectNode inner, String field, ArrayNode value, String space) {
    ObjectNode q = Node.JSON.createObjectNode();
    ObjectNode ss = q.putObject("script_score");
    ss.set("query", inner);
    ObjectNode script = ss.putObject("script");
    script.put("source", "knn_score");
    script.put("lang", "knn");
    ObjectNode params = script.putObject("params");
    params.put("field", field);
    params.set("query_value", value);
    params.put("space_type", space);
    return q;
  }

  /** Runs a search body in the point-in-time view. */
  private JsonNode search(ObjectNode body, String pit) {
    ObjectNode view = body.putObject("pit");
    view.put("id", pit);
    view.put("keep_alive", KEEP_ALIVE);
    return node.call("POST", "/_search", body.toString(), "search", false);
  }

  /** The Hamming distance at a rank, -1 when there are fewer slices, and the eligible count. */
  private record Rank(int hamming, int total) {}

  /**
   * The Hamming distance of the {@code n}-th (from 1) eligible slice in Hamming order, or -1 where
   * there are fewer; with {@code count}, also the number of eligible slices.
   */
  private Rank rank(ObjectNode eligible, int[] qcode, int n, boolean count, String pit) {
    ObjectNode body = sorted(byHamming(eligible, qcode, -1), 1);
    body.put("from", n - 1);
    body.put("_source", false);
    body.put("track_total_hits", count);
    JsonNode hits = search(body, pit).path("hits");
    JsonNode hit = hits.path("hits").path(0);
    int h = hit.isMissingNode() ? -1 : (int) Math.round(1.0 / hit.path("_score").asDouble() - 1.0);
    return new Rank(h, count ? hits.path("total").path("value").asInt() : -1);
  }

  private static ObjectNode sorted(ObjectNode query, int size) {
    ObjectNode body = Node.JSON.createObjectNode();
    body.set("query", query);
    body.put("size", size);
    ArrayNode sort = body.putArray("sort");
    sort.addObject().put("_score", "desc");
    sort.addObject().put(Documents.ORDINAL, "asc");
    return body;
  }

  /** What a capped walk found. */
  private record Walk(List<Hit> hits, int total, int read, int lastHamming) {}

  /**
   * The capped top k of the first {@code limit} slices of the query's order (score descending,
   * ordinal ascending), read page by page.
   */
  private Walk walk(
      ObjectNode query, int k, int cap, int limit, int[] qcode, float[] qf, String pit) {
    List<Hit> hits = new ArrayList<>();
    Map<String, Integer> perPatient = new HashMap<>();
    int page = cap == Integer.MAX_VALUE ? k : Math.max(64, 2 * k);
    int total = -1;
    int read = 0;
    int lastHamming = 0;
    JsonNode after = null;
    while (hits.size() < k && read < limit) {
      int size = (int) Math.min(page, (long) limit - read);
      ObjectNode body = sorted(query, size);
      body.put("track_total_hits", total < 0);
      ArrayNode source = body.putArray("_source");
      for (String f : SOURCE) {
        source.add(f);
      }
      if (after != null) {
        body.set("search_after", after);
      }
      JsonNode r = search(body, pit);
      if (total < 0) {
        total = r.path("hits").path("total").path("value").asInt();
      }
      JsonNode docs = r.path("hits").path("hits");
      for (JsonNode doc : docs) {
        read++;
        JsonNode src = doc.path("_source");
        lastHamming = Documents.hamming(src.path(Documents.CODE), qcode);
        String patient = src.path(Documents.PATIENT).asText();
        if (perPatient.getOrDefault(patient, 0) >= cap) {
          continue;
        }
        perPatient.merge(patient, 1, Integer::sum);
        hits.add(
            new Hit(
                src.path(Documents.ORDINAL).asInt(),
                Documents.ref(src),
                lastHamming,
                Documents.fc1Distance(src.path(Documents.FC1), qf),
                hits.size() + 1));
        if (hits.size() == k) {
          break;
        }
      }
      if (docs.size() < size) {
        break;
      }
      after = docs.path(docs.size() - 1).path("sort");
    }
    return new Walk(hits, Math.max(total, 0), read, lastHamming);
  }
}
