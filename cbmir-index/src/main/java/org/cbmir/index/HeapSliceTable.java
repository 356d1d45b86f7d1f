package org.cbmir.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SliceRef;
import org.roaringbitmap.RoaringBitmap;

/**
 * Slice references stored column-wise (one small array per field, series strings interned once per
 * series), plus the filter bitmaps, kept up to date as slices arrive. Ten million {@link SliceRef}
 * objects would cost gigabytes; these columns cost about 21 bytes a slice.
 *
 * <p>Thread-safety: not thread-safe; {@link HammingRetrievalIndex} guards it with its lock.
 */
final class HeapSliceTable implements SliceTable {
  private final List<Series> series = new ArrayList<>();
  private final Map<Series, Integer> seriesIds = new HashMap<>();
  private int[] seriesOf;
  private int[] sliceIndex;
  private double[] zMm;
  private byte[] classLabel;
  private float[] diameterMm;
  private int size;
  private final FilterBitmaps filters = new FilterBitmaps();

  HeapSliceTable(int capacity) {
    int c = Math.max(16, Math.min(capacity, HeapCodeStore.MAX_INITIAL_CAPACITY));
    seriesOf = new int[c];
    sliceIndex = new int[c];
    zMm = new double[c];
    classLabel = new byte[c];
    diameterMm = new float[c];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public void add(SliceRef ref) {
    Series s = new Series(ref.patientId(), ref.studyUid(), ref.seriesUid());
    int sid =
        seriesIds.computeIfAbsent(
            s,
            k -> {
              series.add(k);
              return series.size() - 1;
            });
    byte label = ref.noduleClass().isKnown() ? (byte) ref.noduleClass().label() : UNKNOWN_CLASS;
    append(sid, ref.sliceIndex(), ref.zMm(), label, (float) ref.noduleDiameterMm());
  }

  private void append(int sid, int slice, double z, byte label, float diameter) {
    if (size == seriesOf.length) {
      int c = ArraysSupport.grow(size);
      seriesOf = Arrays.copyOf(seriesOf, c);
      sliceIndex = Arrays.copyOf(sliceIndex, c);
      zMm = Arrays.copyOf(zMm, c);
      classLabel = Arrays.copyOf(classLabel, c);
      diameterMm = Arrays.copyOf(diameterMm, c);
    }
    int ord = size++;
    seriesOf[ord] = sid;
    sliceIndex[ord] = slice;
    zMm[ord] = z;
    classLabel[ord] = label;
    diameterMm[ord] = diameter;
    Series s = series.get(sid);
    filters.add(ord, s.patientId(), s.seriesUid(), label);
  }

  @Override
  public SliceRef ref(int ord) {
    return SliceTable.toRef(
        series.get(seriesOf[ord]), sliceIndex[ord], zMm[ord], classLabel[ord], diameterMm[ord]);
  }

  @Override
  public String patientId(int ord) {
    return series.get(seriesOf[ord]).patientId();
  }

  @Override
  public Blocked blocked(SearchRequest request, RoaringBitmap tombstones) {
    return filters.blocked(request, tombstones);
  }

  @Override
  public long ramBytesUsed() {
    // Columns and bitmaps exactly; the per-series strings and map entries roughly (200 bytes).
    return (long) seriesOf.length * SLICE_RECORD + filters.ramBytesUsed() + series.size() * 200L;
  }

  @Override
  public SectionSource snapshot(int count) {
    List<Series> seriesNow = List.copyOf(series);
    int[] seriesCol = seriesOf;
    int[] sliceCol = sliceIndex;
    double[] zCol = zMm;
    byte[] classCol = classLabel;
    float[] diameterCol = diameterMm;
    return w -> {
      SliceTable.writeSeries(w, seriesNow);
      w.beginSection("slices", (long) SLICE_RECORD * count);
      for (int i = 0; i < count; i++) {
        w.putInt(seriesCol[i]);
        w.putInt(sliceCol[i]);
        w.putDouble(zCol[i]);
        w.putByte(classCol[i]);
        w.putFloat(diameterCol[i]);
      }
      w.endSection();
    };
  }

  /** Reads what {@link #snapshot} writes, checking every record. */
  static HeapSliceTable read(SectionReader r, int count) throws IOException {
    HeapSliceTable table = new HeapSliceTable(count);
    for (Series s : SliceTable.readSeries(r)) {
      table.seriesIds.put(s, table.series.size());
      table.series.add(s);
    }
    int nSeries = table.series.size();
    r.beginSection("slices", (long) SLICE_RECORD * count);
    for (int i = 0; i < count; i++) {
      int sid = r.getInt();
      int slice = r.getInt();
      double z = r.getDouble();
      byte label = r.getByte();
      float diameter = r.getFloat();
      if (!SliceTable.validRecord(sid, nSeries, slice, z, label, diameter)) {
        throw new CorruptIndexException(r.file(), "slices", "invalid record for ordinal " + i);
      }
      table.append(sid, slice, z, label, diameter);
    }
    r.endSection();
    return table;
  }
}
