package org.cbmir.opensearch;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an OpenSearch-served index lives and how to talk to it: the node's HTTP endpoint, the index
 * name, timeouts, the bulk batch size, and the shards and replicas of an index this library
 * creates.
 *
 * <pre>{@code
 * OpenSearchTarget target = OpenSearchTarget.builder()
 *     .endpoint(URI.create("http://10.0.0.5:9200"))
 *     .indexName("lung-archive")
 *     .shards(4)
 *     .replicas(1)
 *     .build();
 * }</pre>
 *
 * <p>Thread-safety: immutable, safe to share.
 *
 * @param endpoint the node's HTTP endpoint, {@code http://} or {@code https://} host and port
 * @param indexName the OpenSearch index name (lower case, no {@code \ / * ? " < > | , #} or space,
 *     not starting with {@code - _ +})
 * @param connectTimeout how long to wait for a connection
 * @param requestTimeout how long to wait for any one response
 * @param bulkBatchSize slices (and removals) sent to the node in one bulk request, {@code
 *     1..100000}
 * @param shards primary shards of a newly created index, {@code >= 1}
 * @param replicas replicas of each shard of a newly created index, {@code >= 0}
 */
public record OpenSearchTarget(
    URI endpoint,
    String indexName,
    Duration connectTimeout,
    Duration requestTimeout,
    int bulkBatchSize,
    int shards,
    int replicas)
    implements Serializable {

  /** The scheme of plain-HTTP locations, {@code opensearch://host:port/index-name}. */
  public static final String SCHEME = "opensearch";

  /** The scheme of HTTPS locations, {@code opensearch+https://host:port/index-name}. */
  public static final String SCHEME_HTTPS = "opensearch+https";

  /** The port a location without one means. */
  public static final int DEFAULT_PORT = 9200;

  /** Checks the fields; prefer {@link #builder()}. */
  public OpenSearchTarget {
    Objects.requireNonNull(endpoint, "endpoint is required, for instance http://127.0.0.1:9200");
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "endpoint must be an http:// or https:// URI, got '" + endpoint + "'");
    }
    if (endpoint.getHost() == null) {
      throw new IllegalArgumentException("endpoint has no host: '" + endpoint + "'");
    }
    checkIndexName(indexName);
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(requestTimeout, "requestTimeout");
    if (bulkBatchSize < 1 || bulkBatchSize > 100_000) {
      throw new IllegalArgumentException(
          "bulkBatchSize must be in 1..100000, got " + bulkBatchSize);
    }
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    if (replicas < 0) {
      throw new IllegalArgumentException("replicas must be >= 0, got " + replicas);
    }
  }

  /**
   * The target a location URI names, with default settings: {@code opensearch://host:port/name}
   * (HTTP) or {@code opensearch+https://host:port/name}; the port defaults to {@value
   * #DEFAULT_PORT}.
   *
   * @throws IllegalArgumentException if the URI is not such a location
   */
  public static OpenSearchTarget of(URI location) {
    return builder().location(location).build();
  }

  /** A builder; the endpoint and the index name are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this target's values. */
  public Builder toBuilder() {
    return new Builder()
        .endpoint(endpoint)
        .indexName(indexName)
        .connectTimeout(connectTimeout)
        .requestTimeout(requestTimeout)
        .bulkBatchSize(bulkBatchSize)
        .shards(shards)
        .replicas(replicas);
  }

  /** The location URI of this target ({@code opensearch://host:port/name}). */
  public URI location() {
    String scheme = endpoint.getScheme().equals("https") ? SCHEME_HTTPS : SCHEME;
    int port = endpoint.getPort() < 0 ? DEFAULT_PORT : endpoint.getPort();
    return URI.create(scheme + "://" + endpoint.getHost() + ":" + port + "/" + indexName);
  }

  @Override
  public String toString() {
    return "index '" + indexName + "' on " + endpoint;
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
    }
  }

  /** OpenSearch's rules for index names, checked here so that the message names the value. */
  private static void checkIndexName(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("indexName is required");
    }
    if (!name.equals(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("indexName must be lower case, got '" + name + "'");
    }
    for (char c : "\\/*?\"<>|, #:".toCharArray()) {
      if (name.indexOf(c) >= 0) {
        throw new IllegalArgumentException(
            "indexName must not contain '" + c + "', got '" + name + "'");
      }
    }
    if (name.startsWith("-") || name.startsWith("_") || name.startsWith("+")) {
      throw new IllegalArgumentException(
          "indexName must not start with '-', '_' or '+', got '" + name + "'");
    }
    if (name.equals(".") || name.equals("..") || name.length() > 255) {
      throw new IllegalArgumentException(
          "indexName must not be '.' or '..' or longer than 255 characters, got '" + name + "'");
    }
  }

  /** Builder for {@link OpenSearchTarget}. Not thread-safe. */
  public static final class Builder {
    private URI endpoint;
    private String indexName;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(60);
    private int bulkBatchSize = 500;
    private int shards = 1;
    private int replicas = 1;

    private Builder() {}

    /**
     * The node's HTTP endpoint, {@code http://host:port} or {@code https://host:port} (required).
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /** The index name (required). */
    public Builder indexName(String name) {
      this.indexName = name;
      return this;
    }

    /**
     * Endpoint and index name from a location, {@code opensearch://host:port/name} or {@code
     * opensearch+https://host:port/name}.
     *
     * @throws IllegalArgumentException if the URI is not such a location
     */
    public Builder location(URI location) {
      Objects.requireNonNull(location, "location");
      String scheme =
          location.getScheme() == null ? "" : location.getScheme().toLowerCase(Locale.ROOT);
      String http =
          switch (scheme) {
            case SCHEME -> "http";
            case SCHEME_HTTPS -> "https";
            default ->
                throw new IllegalArgumentException(
                    "location must start with "
                        + SCHEME
                        + ":// or "
                        + SCHEME_HTTPS
                        + "://, got '"
                        + location
                        + "'");
          };
      String path = location.getPath() == null ? "" : location.getPath();
      if (location.getHost() == null || !path.matches("/[^/]+")) {
        throw new IllegalArgumentException(
            "location must be " + scheme + "://host:port/index-name, got '" + location + "'");
      }
      int port = location.getPort() < 0 ? DEFAULT_PORT : location.getPort();
      this.endpoint = URI.create(http + "://" + location.getHost() + ":" + port);
      this.indexName = path.substring(1);
      return this;
    }

    /** How long to wait for a connection (default 5 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** How long to wait for any one response (default 60 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout;
      return this;
    }

    /**
     * Adds and removals sent in one bulk request (default 500). The thread whose add fills a batch
     * sends it and waits for the node's answer, which is the back-pressure on fast producers.
     */
    public Builder bulkBatchSize(int slices) {
      this.bulkBatchSize = slices;
      return this;
    }

    /** Primary shards of an index created through this target (default 1). */
    public Builder shards(int shards) {
      this.shards = shards;
      return this;
    }

    /**
     * Replicas of each shard of an index created through this target (default 1; 0 for a single
     * trial node, which otherwise reports yellow health).
     */
    public Builder replicas(int replicas) {
      this.replicas = replicas;
      return this;
    }

    /**
     * Builds the target.
     *
     * @throws IllegalArgumentException if a value is missing or out of range
     */
    public OpenSearchTarget build() {
      return new OpenSearchTarget(
          endpoint, indexName, connectTimeout, requestTimeout, bulkBatchSize, shards, replicas);
    }
  }
}
