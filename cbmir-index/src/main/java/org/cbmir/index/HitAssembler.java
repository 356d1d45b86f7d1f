package org.cbmir.index;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cbmir.api.Hit;

/**
 * Turns ranked (distance, ordinal) keys into {@link Hit}s: references from the slice table, the
 * distance the ranking did not use (Hamming for an FC1 ranking, FC1 for a Hamming ranking), ranks
 * from 1, and the per-patient cap applied in rank order.
 *
 * <p>Thread-safety: stateless apart from the parts it reads; safe for concurrent searches.
 */
final class HitAssembler {
  private final CodeStore codes;
  private final FineStage fine;
  private final SliceTable slices;

  HitAssembler(CodeStore codes, FineStage fine, SliceTable slices) {
    this.codes = codes;
    this.fine = fine;
    this.slices = slices;
  }

  /** Hits from keys ranked by squared FC1 distance. */
  List<Hit> byFeatures(long[] keys, long[] q, int qo, int k, int cap) {
    return assemble(
        keys,
        k,
        cap,
        (ord, key) -> codes.distance(ord, q, qo),
        (ord, key) -> (float) Math.sqrt(Float.intBitsToFloat(LongHeap.distanceBits(key))));
  }

  /** Hits from keys ranked by Hamming distance. */
  List<Hit> byHamming(long[] keys, float[] qf, int k, int cap) {
    return assemble(
        keys,
        k,
        cap,
        (ord, key) -> LongHeap.distanceBits(key),
        (ord, key) -> fine.distance(qf, ord));
  }

  /** One distance of a ranked entry, from its ordinal and its key. */
  private interface Distance<T> {
    T of(int ordinal, long key);
  }

  private List<Hit> assemble(
      long[] keys, int k, int cap, Distance<Integer> hamming, Distance<Float> fc1) {
    List<Hit> hits = new ArrayList<>(Math.min(k, keys.length));
    Map<String, Integer> perPatient = cap == Integer.MAX_VALUE ? null : new HashMap<>();
    for (int i = 0; i < keys.length && hits.size() < k; i++) {
      int ord = LongHeap.ordinal(keys[i]);
      if (perPatient != null && perPatient.merge(slices.patientId(ord), 1, Integer::sum) > cap) {
        continue;
      }
      hits.add(
          new Hit(
              ord,
              slices.ref(ord),
              hamming.of(ord, keys[i]),
              fc1.of(ord, keys[i]),
              hits.size() + 1));
    }
    return hits;
  }
}
