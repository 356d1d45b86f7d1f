package org.cbmir.opensearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * An OpenSearch node refused or failed an operation, or could not be reached: the message names the
 * node, the index, the operation and, where the node answered, its HTTP status and reason.
 *
 * <p>Thread-safety: immutable.
 */
public class OpenSearchException extends UncheckedIOException {
  private static final long serialVersionUID = 1L;

  private final transient URI endpoint;
  private final String indexName;
  private final String operation;
  private final int status;

  /**
   * A failure.
   *
   * @param status the node's HTTP status, or -1 when it did not answer
   */
  public OpenSearchException(
      URI endpoint,
      String indexName,
      String operation,
      int status,
      String reason,
      Throwable cause) {
    super(
        message(endpoint, indexName, operation, status, reason),
        cause instanceof IOException io ? io : new IOException(reason, cause));
    this.endpoint = endpoint;
    this.indexName = indexName;
    this.operation = operation;
    this.status = status;
  }

  private static String message(
      URI endpoint, String indexName, String operation, int status, String reason) {
    return "OpenSearch node "
        + endpoint
        + ", index '"
        + indexName
        + "', "
        + operation
        + (status < 0 ? " failed: " : " failed with HTTP " + status + ": ")
        + reason;
  }

  /** The node's endpoint. */
  public URI endpoint() {
    return endpoint;
  }

  /** The index the operation was on. */
  public String indexName() {
    return indexName;
  }

  /** What was being done ("search", "bulk add", "create index", ...). */
  public String operation() {
    return operation;
  }

  /** The node's HTTP status, or -1 when it did not answer (unreachable, timed out). */
  public int status() {
    return status;
  }
}
