package org.cbmir.opensearch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.index.conformance.RetrievalIndexConformance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link org.cbmir.api.RetrievalIndex} conformance suite against a real OpenSearch node: the
 * same answers as the brute-force model of {@code docs/SEARCH.md}, every mode, filter, removal,
 * cap, batch, bad input, close and concurrent reads while writing.
 */
@ExtendWith(OpenSearchNode.class)
class OpenSearchConformanceIT extends RetrievalIndexConformance {
  private static final AtomicInteger NEXT = new AtomicInteger();
  private final List<OpenSearchTarget> made = new ArrayList<>();

  @Override
  protected RetrievalIndex create(IndexConfig config) {
    OpenSearchTarget target =
        OpenSearchNode.target(
            String.format(Locale.ROOT, "conformance-%03d", NEXT.incrementAndGet()));
    made.add(target);
    return OpenSearchIndexes.create(target, config);
  }

  /** Half the suite's default: each search is a scan on the node, not in process. */
  @Override
  protected int fixtureSize() {
    return 3000;
  }

  /** A search is a few round trips to the node, so the writer slows to let many happen. */
  @Override
  protected long writerPauseNanos() {
    return 15_000_000;
  }

  @AfterEach
  void deleteIndexes() {
    made.forEach(OpenSearchIndexes::delete);
  }
}
