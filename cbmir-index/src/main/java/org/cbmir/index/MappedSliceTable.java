package org.cbmir.index;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SliceRef;
import org.roaringbitmap.RoaringBitmap;

/**
 * Slice references read straight from the {@code slices} records of a memory-mapped index file,
 * with the series list (one entry per series, small) on the heap. The filter bitmaps are built by
 * the first search that filters by class, patient or series, from one pass over the records, so
 * that opening builds nothing per slice. Read-only: {@link #add} throws.
 *
 * <p>Thread-safety: thread-safe; the bitmaps are built once, under this object's monitor.
 */
final class MappedSliceTable implements SliceTable {
  private final MappedSection records;
  private final List<Series> series;
  private final int size;
  private volatile FilterBitmaps filters;

  MappedSliceTable(MappedSection records, List<Series> series, int size) {
    this.records = records;
    this.series = List.copyOf(series);
    this.size = size;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void add(SliceRef ref) {
    throw new UnsupportedOperationException("a memory-mapped index is read-only for adds");
  }

  @Override
  public SliceRef ref(int ord) {
    ByteBuffer c = records.chunkOf(ord);
    int off = records.offsetOf(ord);
    int sid = c.getInt(off);
    int slice = c.getInt(off + 4);
    double z = c.getDouble(off + 8);
    byte label = c.get(off + 16);
    float diameter = c.getFloat(off + 17);
    if (!SliceTable.validRecord(sid, series.size(), slice, z, label, diameter)) {
      throw invalid(ord);
    }
    return SliceTable.toRef(series.get(sid), slice, z, label, diameter);
  }

  @Override
  public String patientId(int ord) {
    int sid = records.chunkOf(ord).getInt(records.offsetOf(ord));
    if (sid < 0 || sid >= series.size()) {
      throw invalid(ord);
    }
    return series.get(sid).patientId();
  }

  private UncheckedIOException invalid(int ord) {
    return records.corrupt("invalid record for ordinal " + ord);
  }

  @Override
  public Blocked blocked(SearchRequest request, RoaringBitmap tombstones) {
    if (!FilterBitmaps.filters(request)) {
      return Blocked.of(tombstones);
    }
    return filters().blocked(request, tombstones);
  }

  private FilterBitmaps filters() {
    FilterBitmaps f = filters;
    if (f == null) {
      synchronized (this) {
        f = filters;
        if (f == null) {
          f = new FilterBitmaps();
          for (int ord = 0; ord < size; ord++) {
            ByteBuffer c = records.chunkOf(ord);
            int off = records.offsetOf(ord);
            int sid = c.getInt(off);
            byte label = c.get(off + 16);
            if (sid < 0
                || sid >= series.size()
                || label < UNKNOWN_CLASS
                || label >= NoduleClass.COUNT) {
              throw invalid(ord);
            }
            Series s = series.get(sid);
            f.add(ord, s.patientId(), s.seriesUid(), label);
          }
          filters = f;
        }
      }
    }
    return f;
  }

  @Override
  public long ramBytesUsed() {
    FilterBitmaps f = filters;
    return series.size() * 200L + (f == null ? 0 : f.ramBytesUsed());
  }

  @Override
  public SectionSource snapshot(int count) {
    if (count != size) {
      throw new IllegalStateException(
          "a mapped table holds " + size + " slices, asked for " + count);
    }
    return w -> {
      SliceTable.writeSeries(w, series);
      records.copyTo(w);
    };
  }
}
