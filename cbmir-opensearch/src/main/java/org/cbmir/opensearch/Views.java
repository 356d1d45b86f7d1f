package org.cbmir.opensearch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Point-in-time views of one index, shared by concurrent searches: a search uses the current view
 * when it is younger than the age limit and no newer than the caller's last refresh, else opens a
 * new one. A view is closed on the node once it is replaced and no search uses it; one that cannot
 * be closed expires with its keep-alive.
 *
 * <p>Why share: opening and closing a view are two round trips, which on a small index cost more
 * than the search itself; a read-mostly archive then pays them about once a second.
 *
 * <p>Thread-safety: thread-safe.
 */
final class Views {
  private static final Logger LOG = LoggerFactory.getLogger(Views.class);

  /** One view and the searches using it. Guarded by the enclosing {@link Views}. */
  static final class View {
    private final String id;
    private final long generation;
    private final long openedNanos;
    private int users;
    private boolean retired;

    private View(String id, long generation, long openedNanos) {
      this.id = id;
      this.generation = generation;
      this.openedNanos = openedNanos;
    }

    String id() {
      return id;
    }
  }

  private final Node node;
  private final String keepAlive;
  private final long maxAgeNanos;
  private View current;

  Views(Node node, String keepAlive, long maxAgeMillis) {
    this.node = node;
    this.keepAlive = keepAlive;
    this.maxAgeNanos = maxAgeMillis * 1_000_000L;
  }

  /** A view opened at or after refresh {@code generation}; release it after the search. */
  synchronized View acquire(long generation) {
    long now = System.nanoTime();
    if (current == null
        || current.generation < generation
        || now - current.openedNanos > maxAgeNanos) {
      retire(current);
      String id =
          node.call(
                  "POST",
                  "/"
                      + node.target().indexName()
                      + "/_search/point_in_time?keep_alive="
                      + keepAlive,
                  null,
                  "search",
                  false)
              .path("pit_id")
              .asText();
      current = new View(id, generation, now);
    }
    current.users++;
    return current;
  }

  synchronized void release(View v) {
    v.users--;
    if (v.retired && v.users == 0) {
      close(v);
    }
  }

  /** Closes every view that no search uses; for the index's close. */
  synchronized void closeAll() {
    retire(current);
    current = null;
  }

  private void retire(View v) {
    if (v == null) {
      return;
    }
    v.retired = true;
    if (v.users == 0) {
      close(v);
    }
  }

  private void close(View v) {
    ObjectNode body = Node.JSON.createObjectNode();
    body.putArray("pit_id").add(v.id);
    try {
      node.call("DELETE", "/_search/point_in_time", body.toString(), "close view", true);
    } catch (OpenSearchException e) {
      // It expires with its keep-alive; nothing a search returned depends on it.
      LOG.debug("closing a point-in-time view failed; it expires by itself", e);
    }
  }
}
