package org.cbmir.index;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SearchRequest;
import org.roaringbitmap.RoaringBitmap;

/**
 * The ordinals of each class, patient and series, from which a request's filters become one bitmap
 * of blocked ordinals.
 *
 * <p>Thread-safety: not thread-safe; the owner guards it.
 */
final class FilterBitmaps {
  private final RoaringBitmap[] byClass = new RoaringBitmap[NoduleClass.COUNT + 1];
  private final Map<String, RoaringBitmap> byPatient = new HashMap<>();
  private final Map<String, RoaringBitmap> bySeries = new HashMap<>();

  FilterBitmaps() {
    for (int i = 0; i < byClass.length; i++) {
      byClass[i] = new RoaringBitmap();
    }
  }

  /** Records slice {@code ord}; {@code label} is {@link SliceTable#UNKNOWN_CLASS} or 0..7. */
  void add(int ord, String patientId, String seriesUid, byte label) {
    byClass[label == SliceTable.UNKNOWN_CLASS ? NoduleClass.COUNT : label].add(ord);
    byPatient.computeIfAbsent(patientId, k -> new RoaringBitmap()).add(ord);
    bySeries.computeIfAbsent(seriesUid, k -> new RoaringBitmap()).add(ord);
  }

  /** Whether a request has any filter that needs these bitmaps (removed slices aside). */
  static boolean filters(SearchRequest request) {
    return !request.excludedPatients().isEmpty()
        || !request.excludedSeries().isEmpty()
        || !request.allowedClasses().isEmpty();
  }

  /**
   * The ordinals a request must never return, {@link Blocked#NONE} when it blocks nothing: removed
   * slices, excluded patients and series, and slices of classes outside the allowed set.
   */
  Blocked blocked(SearchRequest request, RoaringBitmap tombstones) {
    List<RoaringBitmap> parts = new ArrayList<>();
    if (!tombstones.isEmpty()) {
      parts.add(tombstones);
    }
    for (String p : request.excludedPatients()) {
      RoaringBitmap b = byPatient.get(p);
      if (b != null) {
        parts.add(b);
      }
    }
    for (String s : request.excludedSeries()) {
      RoaringBitmap b = bySeries.get(s);
      if (b != null) {
        parts.add(b);
      }
    }
    if (!request.allowedClasses().isEmpty()) {
      for (NoduleClass c : NoduleClass.sizeClasses()) {
        if (!request.allowedClasses().contains(c)) {
          parts.add(byClass[c.label()]);
        }
      }
      if (!request.allowedClasses().contains(NoduleClass.UNKNOWN)) {
        parts.add(byClass[NoduleClass.COUNT]);
      }
    }
    return parts.isEmpty() ? Blocked.NONE : Blocked.of(RoaringBitmap.or(parts.iterator()));
  }

  long ramBytesUsed() {
    long bytes = 0;
    for (RoaringBitmap b : byClass) {
      bytes += b.getLongSizeInBytes();
    }
    for (RoaringBitmap b : byPatient.values()) {
      bytes += b.getLongSizeInBytes();
    }
    for (RoaringBitmap b : bySeries.values()) {
      bytes += b.getLongSizeInBytes();
    }
    return bytes;
  }
}
