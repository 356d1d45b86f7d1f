package org.cbmir.index;

import java.io.IOException;

/**
 * A part's sections as they were when the snapshot was taken, ready to be written later without the
 * index's lock. The parts are append-only below their count, so a snapshot holds references to
 * their arrays, not copies; adds after the snapshot write beyond it.
 *
 * <p>Thread-safety: a snapshot may be written by another thread than the one that took it.
 */
@FunctionalInterface
interface SectionSource {
  void writeTo(SectionWriter w) throws IOException;
}
