package org.cbmir.index;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cbmir.api.CorruptIndexException;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SearchRequest;
import org.cbmir.api.SliceRef;
import org.roaringbitmap.RoaringBitmap;

/**
 * Where the index keeps its slice references and the filter bitmaps made from them: columns on the
 * heap ({@link HeapSliceTable}) or records in a mapped file ({@link MappedSliceTable}). Both save
 * and read the same two sections:
 *
 * <pre>
 * series  int n, then n x (patientId, studyUid, seriesUid) as int length + UTF-8
 * slices  count x (int series, int sliceIndex, double z, byte class, float diameter)
 * </pre>
 *
 * <p>Thread-safety: implementations say; the index guards writes with its lock.
 */
interface SliceTable {
  /** Label stored for a slice whose class is unknown. */
  byte UNKNOWN_CLASS = -1;

  /** Bytes of one record of the {@code slices} section. */
  int SLICE_RECORD = 4 + 4 + 8 + 1 + 4;

  /** One series: its identifiers, shared by all its slices. */
  record Series(String patientId, String studyUid, String seriesUid) {}

  int size();

  /** Appends a slice as ordinal {@link #size()}. */
  void add(SliceRef ref);

  SliceRef ref(int ord);

  String patientId(int ord);

  /**
   * The ordinals a request must never return, {@link Blocked#NONE} when it blocks nothing: removed
   * slices, excluded patients and series, and slices of classes outside the allowed set.
   */
  Blocked blocked(SearchRequest request, RoaringBitmap tombstones);

  /** Heap bytes held. */
  long ramBytesUsed();

  /** The {@code series} and {@code slices} sections of the first {@code count} slices, as now. */
  SectionSource snapshot(int count);

  /** Writes the {@code series} section. */
  static void writeSeries(SectionWriter w, List<Series> series) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(Integer.reverseBytes(series.size()));
      for (Series s : series) {
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
  }

  /** Reads the {@code series} section, rejecting duplicates. */
  static List<Series> readSeries(SectionReader r) throws IOException {
    long seriesLen = r.beginSection("series", -1);
    int nSeries = r.getInt();
    if (nSeries < 0 || nSeries > seriesLen / 12) {
      throw new CorruptIndexException(r.file(), "series", "implausible series count " + nSeries);
    }
    List<Series> out = new ArrayList<>(nSeries);
    Set<Series> seen = new HashSet<>();
    for (int s = 0; s < nSeries; s++) {
      Series one = new Series(r.string("series"), r.string("series"), r.string("series"));
      if (!seen.add(one)) {
        throw new CorruptIndexException(r.file(), "series", "duplicate series " + one);
      }
      out.add(one);
    }
    r.endSection();
    return out;
  }

  /** Whether the fields of one record of the slices section are ones a save writes. */
  static boolean validRecord(
      int sid, int seriesCount, int slice, double z, byte label, float diameter) {
    return sid >= 0
        && sid < seriesCount
        && slice >= 0
        && !Double.isInfinite(z)
        && label >= UNKNOWN_CLASS
        && label < NoduleClass.COUNT
        && !(diameter < 0)
        && !Float.isInfinite(diameter);
  }

  /** The reference a record stands for. */
  static SliceRef toRef(Series s, int slice, double z, byte label, float diameter) {
    return new SliceRef(
        s.patientId(),
        s.studyUid(),
        s.seriesUid(),
        slice,
        z,
        label == UNKNOWN_CLASS ? NoduleClass.UNKNOWN : NoduleClass.ofLabel(label),
        diameter);
  }
}
