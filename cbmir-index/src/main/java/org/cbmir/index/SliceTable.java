package org.cbmir.index;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SliceRef;
import org.roaringbitmap.RoaringBitmap;

/**
 * Slice references stored column-wise (one small array per field, series strings interned once per
 * series), plus the filter bitmaps per class, patient and series. Ten million {@link SliceRef}
 * objects would cost gigabytes; these columns cost about 21 bytes a slice.
 *
 * <p>Thread-safety: not thread-safe; {@link HammingRetrievalIndex} guards it with its lock.
 */
final class SliceTable {
  /** Label stored for a slice whose class is unknown. */
  static final byte UNKNOWN_CLASS = -1;

  /** One series: its identifiers, shared by all its slices. */
  record Series(String patientId, String studyUid, String seriesUid) {}

  private final List<Series> series = new ArrayList<>();
  private final Map<Series, Integer> seriesIds = new HashMap<>();
  private int[] seriesOf;
  private int[] sliceIndex;
  private double[] zMm;
  private byte[] classLabel;
  private float[] diameterMm;
  private int size;

  private final RoaringBitmap[] byClass = new RoaringBitmap[NoduleClass.COUNT + 1];
  private final Map<String, RoaringBitmap> byPatient = new HashMap<>();
  private final Map<String, RoaringBitmap> bySeries = new HashMap<>();

  SliceTable(int capacity) {
    int c = Math.max(16, Math.min(capacity, HeapCodeStore.MAX_INITIAL_CAPACITY));
    seriesOf = new int[c];
    sliceIndex = new int[c];
    zMm = new double[c];
    classLabel = new byte[c];
    diameterMm = new float[c];
    for (int i = 0; i < byClass.length; i++) {
      byClass[i] = new RoaringBitmap();
    }
  }

  int size() {
    return size;
  }

  void add(SliceRef ref) {
    if (size == seriesOf.length) {
      int c = ArraysSupport.grow(size);
      seriesOf = Arrays.copyOf(seriesOf, c);
      sliceIndex = Arrays.copyOf(sliceIndex, c);
      zMm = Arrays.copyOf(zMm, c);
      classLabel = Arrays.copyOf(classLabel, c);
      diameterMm = Arrays.copyOf(diameterMm, c);
    }
    Series s = new Series(ref.patientId(), ref.studyUid(), ref.seriesUid());
    int sid = seriesIds.computeIfAbsent(s, k -> {
      series.add(k);
      return series.size() - 1;
    });
    int ord = size++;
    seriesOf[ord] = sid;
    sliceIndex[ord] = ref.sliceIndex();
    zMm[ord] = ref.zMm();
    byte label = ref.noduleClass().isKnown() ? (byte) ref.noduleClass().label() : UNKNOWN_CLASS;
    classLabel[ord] = label;
    diameterMm[ord] = (float) ref.noduleDiameterMm();
    index(ord, s, label);
  }

  private void index(int ord, Series s, byte label) {
    byClass[label == UNKNOWN_CLASS ? NoduleClass.COUNT : label].add(ord);
    byPatient.computeIfAbsent(s.patientId(), k -> new RoaringBitmap()).add(ord);
    bySeries.computeIfAbsent(s.seriesUid(), k -> new RoaringBitmap()).add(ord);
  }

  SliceRef ref(int ord) {
    Series s = series.get(seriesOf[ord]);
    byte label = classLabel[ord];
    return new SliceRef(s.patientId(), s.studyUid(), s.seriesUid(), sliceIndex[ord], zMm[ord],
        label == UNKNOWN_CLASS ? NoduleClass.UNKNOWN : NoduleClass.ofLabel(label), diameterMm[ord]);
  }

  String patientId(int ord) {
    return series.get(seriesOf[ord]).patientId();
  }

  /**
   * The ordinals a request must never return, or {@code null} when it blocks nothing: removed
   * slices, excluded patients and series, and slices of classes outside the allowed set.
   */
  RoaringBitmap blocked(SearchRequest request, RoaringBitmap tombstones) {
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
    if (parts.isEmpty()) {
      return null;
    }
    RoaringBitmap blocked = RoaringBitmap.or(parts.iterator());
    return blocked.isEmpty() ? null : blocked;
  }

  // ---- persistence: columns written and read by IndexFile

  List<Series> series() {
    return series;
  }

  int seriesOf(int ord) {
    return seriesOf[ord];
  }

  int sliceIndex(int ord) {
    return sliceIndex[ord];
  }

  double zMm(int ord) {
    return zMm[ord];
  }

  byte classLabel(int ord) {
    return classLabel[ord];
  }

  float diameterMm(int ord) {
    return diameterMm[ord];
  }

  /** Appends a slice read from a file; the caller has validated every field. */
  void addRaw(int sid, int slice, double z, byte label, float diameter) {
    Series s = series.get(sid);
    add(new SliceRef(s.patientId(), s.studyUid(), s.seriesUid(), slice, z,
        label == UNKNOWN_CLASS ? NoduleClass.UNKNOWN : NoduleClass.ofLabel(label), diameter));
  }

  /** Registers a series read from a file, in file order. */
  void addSeries(Series s) {
    if (seriesIds.putIfAbsent(s, series.size()) != null) {
      throw new IllegalArgumentException("duplicate series " + s);
    }
    series.add(s);
  }

  long ramBytesUsed() {
    long bitmaps = 0;
    for (RoaringBitmap b : byClass) {
      bitmaps += b.getLongSizeInBytes();
    }
    for (RoaringBitmap b : byPatient.values()) {
      bitmaps += b.getLongSizeInBytes();
    }
    for (RoaringBitmap b : bySeries.values()) {
      bitmaps += b.getLongSizeInBytes();
    }
    // Columns and bitmaps exactly; the per-series strings and map entries roughly (200 bytes).
    return (long) seriesOf.length * (4 + 4 + 8 + 1 + 4) + bitmaps + series.size() * 200L;
  }

  // ---------------------------------------------------------------- persistence

  /** Bytes of one record of the {@code slices} section. */
  static final int SLICE_RECORD = 4 + 4 + 8 + 1 + 4;

  /**
   * The {@code series} section (int n, then n x (patientId, studyUid, seriesUid) as int length +
   * UTF-8) and the {@code slices} section ({@code count} x (int series, int sliceIndex, double z,
   * byte class, float diameter)) as they are now; call under the index's lock.
   */
  SectionSource snapshot(int count) {
    List<Series> seriesNow = List.copyOf(series);
    int[] seriesCol = seriesOf;
    int[] sliceCol = sliceIndex;
    double[] zCol = zMm;
    byte[] classCol = classLabel;
    float[] diameterCol = diameterMm;
    return w -> {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(Integer.reverseBytes(seriesNow.size()));
        for (Series s : seriesNow) {
          for (String v : new String[] {s.patientId(), s.studyUid(), s.seriesUid()}) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            out.writeInt(Integer.reverseBytes(b.length));
            out.write(b);
          }
        }
      }
      byte[] payload = bytes.toByteArray();
      w.beginSection("series", payload.length);
      w.putBytes(payload);
      w.endSection();
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
  static SliceTable read(SectionReader r, int count) throws IOException {
    SliceTable table = new SliceTable(count);
    long seriesLen = r.beginSection("series", -1);
    int nSeries = r.getInt();
    if (nSeries < 0 || nSeries > seriesLen / 12) {
      throw new CorruptIndexException(r.file(), "series", "implausible series count " + nSeries);
    }
    for (int s = 0; s < nSeries; s++) {
      String patient = r.string("series");
      String study = r.string("series");
      String uid = r.string("series");
      try {
        table.addSeries(new Series(patient, study, uid));
      } catch (IllegalArgumentException e) {
        throw new CorruptIndexException(r.file(), "series", e.getMessage());
      }
    }
    r.endSection();
    r.beginSection("slices", (long) SLICE_RECORD * count);
    for (int i = 0; i < count; i++) {
      int sid = r.getInt();
      int slice = r.getInt();
      double z = r.getDouble();
      byte label = r.getByte();
      float diameter = r.getFloat();
      if (sid < 0 || sid >= nSeries || slice < 0 || Double.isInfinite(z)
          || label < UNKNOWN_CLASS || label >= NoduleClass.COUNT
          || diameter < 0 || Float.isInfinite(diameter)) {
        throw new CorruptIndexException(r.file(), "slices", "invalid record for ordinal " + i);
      }
      table.addRaw(sid, slice, z, label, diameter);
    }
    r.endSection();
    return table;
  }
}
