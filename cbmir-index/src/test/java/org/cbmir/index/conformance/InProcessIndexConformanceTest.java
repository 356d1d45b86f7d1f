package org.cbmir.index.conformance;

import org.cbmir.api.IndexConfig;
import org.cbmir.api.RetrievalIndex;
import org.cbmir.api.RetrievalIndexes;
import org.junit.jupiter.api.Tag;

/** The in-process index, as users reach it through {@link RetrievalIndexes}, against the model. */
@Tag("kernels")
class InProcessIndexConformanceTest extends RetrievalIndexConformance {
  @Override
  protected RetrievalIndex create(IndexConfig config) {
    return RetrievalIndexes.create(config);
  }
}
