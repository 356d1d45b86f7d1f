package org.cbmir.opensearch;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

/**
 * A bulk request in which the node refused some operations, or that failed as a whole: the slices
 * of {@link #notAdded()} were not added (their {@link org.cbmir.api.RetrievalIndex#ref} throws and
 * no search returns them) and the removals of {@link #notRemoved()} did not happen; every other
 * operation of the batch was applied. Add or remove them again to retry.
 *
 * <p>Thread-safety: immutable.
 */
public final class BulkWriteException extends OpenSearchException {
  private static final long serialVersionUID = 1L;

  private final int[] notAdded;
  private final int[] notRemoved;
  private final String[] reasons;

  BulkWriteException(
      URI endpoint,
      String indexName,
      int[] notAdded,
      int[] notRemoved,
      List<String> reasons,
      Throwable cause) {
    super(
        endpoint,
        indexName,
        "bulk write",
        -1,
        notAdded.length
            + " slice(s) not added, ordinals "
            + abbreviate(notAdded)
            + ", and "
            + notRemoved.length
            + " removal(s) not applied, ordinals "
            + abbreviate(notRemoved)
            + "; first reason: "
            + (reasons.isEmpty() ? "none given" : reasons.get(0)),
        cause);
    this.notAdded = notAdded.clone();
    this.notRemoved = notRemoved.clone();
    this.reasons = reasons.toArray(new String[0]);
  }

  private static String abbreviate(int[] ords) {
    return ords.length <= 20
        ? Arrays.toString(ords)
        : Arrays.toString(Arrays.copyOf(ords, 20)).replace("]", ", ...]");
  }

  /** The ordinals of the slices that were not added, ascending. */
  public int[] notAdded() {
    return notAdded.clone();
  }

  /** The ordinals whose removal was not applied, ascending. */
  public int[] notRemoved() {
    return notRemoved.clone();
  }

  /** The node's reasons, one per refused operation, in request order. */
  public List<String> reasons() {
    return List.of(reasons);
  }
}
