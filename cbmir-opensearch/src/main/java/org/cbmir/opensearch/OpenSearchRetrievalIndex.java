package org.cbmir.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.Embedding;
import org.cbmir.api.EmbeddingShape;
import org.cbmir.api.FeatureStorage;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.ModelMismatchException;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SearchResult;
import org.cbmir.api.SliceRef;

/**
 * A {@link RetrievalIndex} served by an OpenSearch cluster with the k-NN plugin: one document a
 * slice in one OpenSearch index, searched exactly with the semantics of the in-process index
 * ({@code docs/SEARCH.md}). Obtain one from {@link OpenSearchIndexes} or {@link
 * org.cbmir.api.RetrievalIndexes#create(java.net.URI, IndexConfig)}.
 *
 * <p><b>Writes are batched.</b> {@link #add} and {@link #remove} queue the operation; the thread
 * that fills a batch ({@link OpenSearchTarget#bulkBatchSize()}) sends it as one bulk request and
 * waits for the answer, which slows producers to the cluster's pace. Every read ({@link #search},
 * {@link #size}, {@link #ref}, {@link #save}) first sends what is queued and refreshes the index,
 * so it sees every add and remove that completed before it, as the contract says. {@link #flush()}
 * sends the queue explicitly. Other processes see a batch once the node refreshes (every second by
 * default) and everything at {@link #flush()}, {@link #save} or {@link #close()}. When the node
 * refuses part of a batch, the call that sent it throws {@link BulkWriteException} naming the
 * ordinals that were not added or not removed; nothing is dropped silently.
 *
 * <p><b>One writer.</b> Ordinals are assigned by this object (the highest one on the node plus one
 * when opened), so one process at a time may add to an index; any number of processes may open it
 * to search. A second writer's colliding ordinal is refused by the node ({@code create} never
 * overwrites) and reported, not lost.
 *
 * <p><b>Saving.</b> The data lives on the cluster; {@link #save(Path)} makes it durable there
 * ({@code _flush}) and writes a small manifest (index name, model, shape, counts; no endpoint),
 * which {@link OpenSearchIndexes#open(Path, java.net.URI, org.cbmir.api.OpenOptions)} reopens
 * against any endpoint of the cluster.
 *
 * <p>Thread-safety: thread-safe. Writes serialise on this object; searches run concurrently with
 * each other and with writes once they have sent the queue.
 */
public final class OpenSearchRetrievalIndex implements RetrievalIndex {
  private static final String MANIFEST_FORMAT = "cbmir-opensearch-manifest/1";

  private final Node node;
  private final OpenSearchTarget target;
  private final String path;
  private final EmbeddingShape shape;
  private final ExactSearch searcher;

  // Guarded by this.
  private int next;
  private final BitSet removed;
  private final BitSet failed = new BitSet();
  private final StringBuilder queue = new StringBuilder();
  private final List<Integer> queuedAdds = new ArrayList<>();
  private final List<Integer> queuedRemoves = new ArrayList<>();
  private boolean unrefreshed;
  private long generation;
  private volatile boolean closed;

  private OpenSearchRetrievalIndex(Node node, EmbeddingShape shape, int next, BitSet removed) {
    this.node = node;
    this.target = node.target();
    this.path = "/" + target.indexName();
    this.shape = shape;
    this.next = next;
    this.removed = removed;
    this.searcher = new ExactSearch(node, shape.bits());
  }

  /** Creates the OpenSearch index and returns it empty. */
  static OpenSearchRetrievalIndex create(OpenSearchTarget target, IndexConfig config) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(config, "config");
    if (config.featureStorage() != FeatureStorage.FLOAT32) {
      throw new IllegalArgumentException(
          "an OpenSearch-served index keeps FC1 features as float32; featureStorage "
              + config.featureStorage()
              + " is for the in-process index (valid here: "
              + FeatureStorage.FLOAT32
              + ")");
    }
    Node node = new Node(target);
    try {
      String path = "/" + target.indexName();
      if (!node.call("GET", path + "/_mapping", null, "create index", true).isMissingNode()) {
        throw new IllegalArgumentException(
            "an index named '"
                + target.indexName()
                + "' already exists on "
                + target.endpoint()
                + "; open it with OpenSearchIndexes.open or choose another name");
      }
      node.call("PUT", path, Documents.createBody(config, target), "create index", false);
      return new OpenSearchRetrievalIndex(node, config.shape(), 0, new BitSet());
    } catch (RuntimeException e) {
      node.close();
      throw e;
    }
  }

  /**
   * Opens an existing index after checking that cbmir made it and, when {@code expected} is not
   * null, with that model.
   */
  static OpenSearchRetrievalIndex open(OpenSearchTarget target, String expected)
      throws IOException {
    Objects.requireNonNull(target, "target");
    Node node = new Node(target);
    try {
      String path = "/" + target.indexName();
      JsonNode answer = node.call("GET", path + "/_mapping", null, "open index", true);
      if (answer.isMissingNode() || !answer.elements().hasNext()) {
        throw new NoSuchFileException(
            target.location().toString(),
            null,
            "no index '"
                + target.indexName()
                + "' on "
                + target.endpoint()
                + "; create one with RetrievalIndexes.create(location, config)");
      }
      JsonNode mappings = answer.elements().next().path("mappings");
      JsonNode meta = mappings.path("_meta").path("cbmir");
      if (!meta.isObject()) {
        throw new IllegalArgumentException(
            "index '"
                + target.indexName()
                + "' on "
                + target.endpoint()
                + " was not made by cbmir: its mapping has no _meta.cbmir (fields "
                + fieldNames(mappings.path("properties"))
                + ")");
      }
      int format = meta.path("format").asInt(-1);
      if (format != Documents.FORMAT) {
        throw new IllegalArgumentException(
            "index '"
                + target.indexName()
                + "' has cbmir layout "
                + format
                + "; this version reads layout "
                + Documents.FORMAT);
      }
      int bits = meta.path("bits").asInt(-1);
      int dim = meta.path("featureDimension").asInt(-1);
      String fp = meta.path("modelFingerprint").asText("");
      JsonNode props = mappings.path("properties");
      checkField(target, props, Documents.CODE, 8 * Documents.codeBytes(bits), "binary", bits);
      checkField(target, props, Documents.FC1, dim, null, dim);
      if (expected != null && !expected.equals(fp)) {
        throw new ModelMismatchException(null, expected, fp);
      }
      int next = maxOrdinal(node, path) + 1;
      return new OpenSearchRetrievalIndex(
          node, new EmbeddingShape(bits, dim, fp), next, removedOrdinals(node, path));
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
  }

  private static void checkField(
      OpenSearchTarget target, JsonNode props, String field, int dim, String dataType, int meta) {
    JsonNode f = props.path(field);
    boolean ok =
        "knn_vector".equals(f.path("type").asText())
            && f.path("dimension").asInt(-1) == dim
            && (dataType == null
                ? !f.has("data_type") || "float".equalsIgnoreCase(f.path("data_type").asText())
                : dataType.equalsIgnoreCase(f.path("data_type").asText()));
    if (!ok) {
      throw new IllegalArgumentException(
          "index '"
              + target.indexName()
              + "': field '"
              + field
              + "' is "
              + f
              + ", but _meta.cbmir says "
              + meta
              + (field.equals(Documents.CODE) ? " bits" : " FC1 features")
              + ": expected a knn_vector of dimension "
              + dim
              + (dataType == null ? "" : " and data_type " + dataType));
    }
  }

  private static List<String> fieldNames(JsonNode props) {
    List<String> names = new ArrayList<>();
    props.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static int maxOrdinal(Node node, String path) {
    ObjectNode body = Node.JSON.createObjectNode();
    body.put("size", 0);
    body.putObject("aggs").putObject("max").putObject("max").put("field", Documents.ORDINAL);
    JsonNode r = node.call("POST", path + "/_search", body.toString(), "open index", false);
    JsonNode v = r.path("aggregations").path("max").path("value");
    return v.isNumber() ? v.asInt() : -1;
  }

  /** The ordinals marked removed, read in pages ordered by ordinal. */
  private static BitSet removedOrdinals(Node node, String path) {
    BitSet out = new BitSet();
    JsonNode after = null;
    while (true) {
      ObjectNode body = Node.JSON.createObjectNode();
      body.put("size", 10_000);
      body.put("_source", false);
      body.putArray("docvalue_fields").add(Documents.ORDINAL);
      body.putObject("query").putObject("term").put(Documents.REMOVED, true);
      body.putArray("sort").addObject().put(Documents.ORDINAL, "asc");
      if (after != null) {
        body.set("search_after", after);
      }
      JsonNode hits =
          node.call("POST", path + "/_search", body.toString(), "open index", false)
              .path("hits")
              .path("hits");
      for (JsonNode h : hits) {
        out.set(h.path("sort").path(0).asInt());
      }
      if (hits.size() < 10_000) {
        return out;
      }
      after = hits.path(hits.size() - 1).path("sort");
    }
  }

  /** Where this index lives. */
  public OpenSearchTarget target() {
    return target;
  }

  @Override
  public int bits() {
    return shape.bits();
  }

  @Override
  public int featureDimension() {
    return shape.featureDimension();
  }

  @Override
  public String modelFingerprint() {
    return shape.modelFingerprint();
  }

  @Override
  public EmbeddingShape shape() {
    return shape;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("index " + target + " is closed");
    }
  }

  /** Checks an ordinal this object assigned; call holding the lock. */
  private void checkOrdinal(int ordinal) {
    if (ordinal < 0 || ordinal >= next) {
      throw new IllegalArgumentException(
          "unknown ordinal " + ordinal + "; valid ordinals are 0.." + (next - 1));
    }
    if (failed.get(ordinal)) {
      throw new IllegalArgumentException(
          "ordinal " + ordinal + " was not added: the node refused it (see BulkWriteException)");
    }
  }

  @Override
  public int add(SliceRef ref, Embedding embedding) {
    Objects.requireNonNull(ref, "ref");
    shape.check(embedding, "embedding");
    synchronized (this) {
      checkOpen();
      int ordinal = next++;
      queueCreate(ordinal, ref, embedding);
      return ordinal;
    }
  }

  /**
   * Adds a slice under an ordinal the caller chose, for loaders that number slices before writing
   * them from many processes at once ({@code cbmir-spark}), each process its own ordinals. Later
   * {@link #add(SliceRef, Embedding)} calls of this object continue after the highest ordinal it
   * has seen. The node refuses an ordinal that is already taken: {@link BulkWriteException} names
   * it.
   *
   * @return the ordinal
   * @throws IllegalArgumentException if the ordinal is negative, or the embedding does not fit
   */
  public int add(int ordinal, SliceRef ref, Embedding embedding) {
    if (ordinal < 0) {
      throw new IllegalArgumentException("ordinal must be >= 0, got " + ordinal);
    }
    Objects.requireNonNull(ref, "ref");
    shape.check(embedding, "embedding");
    synchronized (this) {
      checkOpen();
      next = Math.max(next, ordinal + 1);
      queueCreate(ordinal, ref, embedding);
      return ordinal;
    }
  }

  /** Queues the document of a new slice, sending the batch when full; call holding the lock. */
  private void queueCreate(int ordinal, SliceRef ref, Embedding embedding) {
    queue.append("{\"create\":{\"_id\":\"").append(ordinal).append("\"}}\n");
    Documents.appendDocument(queue, ordinal, ref, embedding);
    queue.append('\n');
    queuedAdds.add(ordinal);
    sendIfFull();
  }

  @Override
  public synchronized boolean remove(int ordinal) {
    checkOpen();
    checkOrdinal(ordinal);
    if (removed.get(ordinal)) {
      return false;
    }
    removed.set(ordinal);
    queue.append("{\"update\":{\"_id\":\"").append(ordinal).append("\"}}\n");
    queue.append("{\"doc\":{\"").append(Documents.REMOVED).append("\":true}}\n");
    queuedRemoves.add(ordinal);
    sendIfFull();
    return true;
  }

  private void sendIfFull() {
    if (queuedAdds.size() + queuedRemoves.size() >= target.bulkBatchSize()) {
      send(false);
    }
  }

  /**
   * Sends the queued adds and removes now and makes them visible to searches.
   *
   * @throws BulkWriteException if the node refused some of them (they are named)
   */
  public synchronized void flush() {
    checkOpen();
    send(true);
  }

  /** Sends the queue as one bulk request; call holding the lock. */
  private void send(boolean refresh) {
    if (queuedAdds.isEmpty() && queuedRemoves.isEmpty()) {
      if (refresh && unrefreshed) {
        node.call("POST", path + "/_refresh", null, "refresh", false);
        unrefreshed = false;
        generation++;
      }
      return;
    }
    String body = queue.toString();
    int[] adds = queuedAdds.stream().mapToInt(Integer::intValue).toArray();
    int[] removes = queuedRemoves.stream().mapToInt(Integer::intValue).toArray();
    queue.setLength(0);
    queuedAdds.clear();
    queuedRemoves.clear();
    JsonNode answer;
    try {
      answer =
          node.call(
              "POST",
              path + "/_bulk" + (refresh ? "?refresh=true" : ""),
              body,
              "bulk write",
              false);
    } catch (OpenSearchException e) {
      for (int o : adds) {
        failed.set(o);
      }
      for (int o : removes) {
        removed.clear(o);
      }
      throw new BulkWriteException(
          target.endpoint(), target.indexName(), adds, removes, List.of(e.getMessage()), e);
    }
    unrefreshed = !refresh;
    if (refresh) {
      generation++;
    }
    if (!answer.path("errors").asBoolean(false)) {
      return;
    }
    List<Integer> notAdded = new ArrayList<>();
    List<Integer> notRemoved = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    for (JsonNode item : answer.path("items")) {
      Iterator<String> ops = item.fieldNames();
      String op = ops.hasNext() ? ops.next() : "";
      JsonNode result = item.path(op);
      if (!result.has("error")) {
        continue;
      }
      int o = Integer.parseInt(result.path("_id").asText("-1"));
      if (op.equals("create")) {
        failed.set(o);
        notAdded.add(o);
      } else {
        removed.clear(o);
        notRemoved.add(o);
      }
      JsonNode error = result.path("error");
      reasons.add(
          o + ": " + error.path("type").asText("error") + ": " + error.path("reason").asText());
    }
    throw new BulkWriteException(
        target.endpoint(),
        target.indexName(),
        notAdded.stream().mapToInt(Integer::intValue).sorted().toArray(),
        notRemoved.stream().mapToInt(Integer::intValue).sorted().toArray(),
        reasons,
        null);
  }

  /**
   * Sends the queue and refreshes, so that a read sees every completed write; returns the refresh
   * generation, which a search's point-in-time view must not predate.
   */
  private synchronized long sync() {
    checkOpen();
    send(true);
    return generation;
  }

  @Override
  public synchronized boolean isRemoved(int ordinal) {
    checkOpen();
    checkOrdinal(ordinal);
    return removed.get(ordinal);
  }

  @Override
  public int size() {
    sync();
    ObjectNode body = Node.JSON.createObjectNode();
    body.putObject("query").putObject("term").put(Documents.REMOVED, false);
    return node.call("POST", path + "/_count", body.toString(), "count", false)
        .path("count")
        .asInt();
  }

  @Override
  public synchronized int ordinalCount() {
    checkOpen();
    return next;
  }

  @Override
  public SliceRef ref(int ordinal) {
    synchronized (this) {
      checkOpen();
      checkOrdinal(ordinal);
    }
    sync();
    JsonNode doc =
        node.call(
            "GET",
            path + "/_doc/" + ordinal + "?_source_excludes=" + Documents.CODE + "," + Documents.FC1,
            null,
            "get slice",
            true);
    if (doc.isMissingNode() || !doc.path("found").asBoolean(false)) {
      throw new IllegalArgumentException(
          "ordinal " + ordinal + " is not on the node: it was never added there");
    }
    return Documents.ref(doc.path("_source"));
  }

  @Override
  public SearchResult search(Embedding query, SearchRequest request) {
    checkOpen();
    shape.check(query, "query");
    Objects.requireNonNull(request, "request");
    return searcher.search(query, request, sync());
  }

  /**
   * Searches each query in turn: the node scans once per query, so a batch costs what its queries
   * cost one by one.
   */
  @Override
  public List<SearchResult> searchBatch(List<Embedding> queries, SearchRequest request) {
    checkOpen();
    Objects.requireNonNull(queries, "queries");
    for (Embedding q : queries) {
      shape.check(q, "query");
    }
    Objects.requireNonNull(request, "request");
    long g = sync();
    List<SearchResult> out = new ArrayList<>(queries.size());
    for (Embedding q : queries) {
      out.add(searcher.search(q, request, g));
    }
    return out;
  }

  /**
   * Makes the index durable on the cluster ({@code _flush}) and writes a manifest to {@code file}
   * atomically (written beside it, forced to disk, renamed): index name, model fingerprint, code
   * length, FC1 dimension, ordinal count and size, and no endpoint, so that {@link
   * OpenSearchIndexes#open(Path, java.net.URI, org.cbmir.api.OpenOptions)} reopens it through any
   * node of the cluster.
   */
  @Override
  public void save(Path file) throws IOException {
    Objects.requireNonNull(file, "file");
    int live = size();
    int count;
    synchronized (this) {
      count = next;
    }
    node.call("POST", path + "/_flush", null, "flush", false);
    Properties p = new Properties();
    p.setProperty("format", MANIFEST_FORMAT);
    p.setProperty("indexName", target.indexName());
    p.setProperty("modelFingerprint", shape.modelFingerprint());
    p.setProperty("bits", Integer.toString(shape.bits()));
    p.setProperty("featureDimension", Integer.toString(shape.featureDimension()));
    p.setProperty("ordinalCount", Integer.toString(count));
    p.setProperty("size", Integer.toString(live));
    Path abs = file.toAbsolutePath();
    Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(
            new OutputStreamWriter(out, StandardCharsets.UTF_8),
            "cbmir index served by OpenSearch; reopen with OpenSearchIndexes.open(manifest,"
                + " endpoint, options)");
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Reads a manifest written by {@link #save}: its index name and expected fingerprint. */
  static Properties readManifest(Path manifest) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    if (!MANIFEST_FORMAT.equals(p.getProperty("format"))) {
      throw new CorruptIndexException(
          manifest,
          "manifest",
          "not a cbmir OpenSearch manifest: format is "
              + p.getProperty("format")
              + ", expected "
              + MANIFEST_FORMAT);
    }
    for (String key : Arrays.asList("indexName", "modelFingerprint")) {
      if (p.getProperty(key, "").isBlank()) {
        throw new CorruptIndexException(manifest, "manifest", "it has no " + key);
      }
    }
    return p;
  }

  /**
   * Sends what is queued, makes it visible to every reader, and closes the connection; the index
   * stays on the cluster. Closing twice is harmless.
   *
   * @throws BulkWriteException if queued writes were refused (the connection is closed anyway)
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      // Refreshed, so that whoever opens the index next sees every write.
      send(true);
    } finally {
      closed = true;
      try {
        searcher.closeViews();
      } finally {
        node.close();
      }
    }
  }
}
