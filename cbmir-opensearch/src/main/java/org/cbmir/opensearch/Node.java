package org.cbmir.opensearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Body;
import org.opensearch.client.opensearch.generic.OpenSearchGenericClient;
import org.opensearch.client.opensearch.generic.Request;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5Transport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * One connection to an OpenSearch node through the official client's generic API: JSON in, JSON
 * out, every failure an {@link OpenSearchException} that names the node, the index and the
 * operation.
 *
 * <p>Why the generic API and not the typed one: the k-NN plugin's {@code knn_vector} mapping with
 * {@code data_type: binary} and its {@code knn_score} script are plugin features the typed request
 * classes do not model; the generic client sends them as they are documented.
 *
 * <p>Thread-safety: thread-safe (the client's connection pool is).
 */
final class Node implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final OpenSearchTarget target;
  private final ApacheHttpClient5Transport transport;
  private final OpenSearchGenericClient client;

  Node(OpenSearchTarget target) {
    this.target = target;
    HttpHost host =
        new HttpHost(
            target.endpoint().getScheme(),
            target.endpoint().getHost(),
            target.endpoint().getPort() < 0
                ? OpenSearchTarget.DEFAULT_PORT
                : target.endpoint().getPort());
    Timeout response = Timeout.of(target.requestTimeout());
    Timeout connect = Timeout.of(target.connectTimeout());
    this.transport =
        ApacheHttpClient5TransportBuilder.builder(host)
            .setRequestConfigCallback(b -> b.setResponseTimeout(response))
            .setConnectionConfigCallback(b -> b.setConnectTimeout(connect))
            .build();
    this.client = new OpenSearchClient(transport).generic();
  }

  OpenSearchTarget target() {
    return target;
  }

  /** A failure of {@code operation} with the node's status and reason. */
  OpenSearchException failure(String operation, int status, String reason, Throwable cause) {
    return new OpenSearchException(
        target.endpoint(), target.indexName(), operation, status, reason, cause);
  }

  /**
   * Sends a request and returns the parsed answer; a 404 is returned as {@link MissingNode} when
   * {@code missingOk}, any other status >= 300 throws.
   *
   * @param body JSON text, NDJSON for {@code _bulk}, or null
   */
  JsonNode call(String method, String path, String body, String operation, boolean missingOk) {
    Requests.JsonBodyBuilder b = Requests.builder().method(method).endpoint(path);
    if (body != null) {
      b.body(
          Body.from(
              body.getBytes(StandardCharsets.UTF_8),
              path.endsWith("_bulk") ? "application/x-ndjson" : "application/json"));
    }
    Request request = b.build();
    int status;
    String text;
    try (Response r = client.execute(request)) {
      status = r.getStatus();
      Optional<Body> rb = r.getBody();
      text = rb.isPresent() ? rb.get().bodyAsString() : "";
    } catch (IOException e) {
      throw failure(
          operation,
          -1,
          "the node did not answer (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
          e);
    }
    if (status == 404 && missingOk) {
      return MissingNode.getInstance();
    }
    JsonNode json;
    try {
      json = text.isEmpty() ? MissingNode.getInstance() : JSON.readTree(text);
    } catch (IOException e) {
      throw failure(operation, status, "the answer is not JSON: " + abbreviate(text), e);
    }
    if (status >= 300) {
      throw failure(operation, status, reason(json, text), null);
    }
    return json;
  }

  /** The node's own words for an error answer: the root cause's type and reason. */
  static String reason(JsonNode json, String text) {
    JsonNode error = json.path("error");
    JsonNode root = error.path("root_cause").path(0);
    JsonNode best = root.isMissingNode() ? error : root;
    if (best.has("reason")) {
      return best.path("type").asText("error") + ": " + best.path("reason").asText();
    }
    return abbreviate(text);
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }

  @Override
  public void close() {
    try {
      transport.close();
    } catch (IOException e) {
      throw failure("close", -1, "closing the connection pool failed: " + e.getMessage(), e);
    }
  }
}
