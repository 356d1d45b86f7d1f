package org.cbmir.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Segments the lung parenchyma of a CT slice.
 *
 * <p>Thread-safety: implementations are thread-safe unless they say otherwise.
 */
public interface Segmenter extends AutoCloseable {

  /** The lung mask of one slice, on the slice's own pixel grid. */
  LungMask segment(CtSlice slice);

  /** Masks for several slices; implementations batch the work where that is faster. */
  default List<LungMask> segmentAll(List<CtSlice> slices) {
    List<LungMask> out = new ArrayList<>(slices.size());
    for (CtSlice s : slices) {
      out.add(segment(s));
    }
    return out;
  }

  /** Releases native resources; closing twice is harmless. */
  @Override
  default void close() {}
}
