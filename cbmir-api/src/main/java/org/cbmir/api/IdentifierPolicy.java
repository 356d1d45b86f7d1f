package org.cbmir.api;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What becomes of a slice's patient ID and study and series UIDs when it enters an index (and the
 * exports and galleries made from it): kept as the DICOM gives them, or replaced by keyed hashes so
 * that nothing from the DICOM header identifies the patient.
 *
 * <p>{@link #pseudonymise(byte[])} uses HMAC-SHA-256 with a key that the host application keeps
 * (never stored by cbmir): the same identifier always gives the same pseudonym under the same key,
 * so searches can still exclude a patient ({@code excludePatients(policy.patientId(id))}), series
 * are still grouped and re-ingesting a series is still recognised; without the key a pseudonym
 * cannot be traced back, nor checked against a guessed identifier. Patient pseudonyms look like
 * {@code anon-3f9a…} (24 hex digits, 96 bits); UID pseudonyms are valid DICOM UIDs under the {@code
 * 2.25} root (a 120-bit number), so they fit wherever a UID does.
 *
 * <pre>{@code
 * byte[] key = hostKeyStore.cbmirKey();                    // 32 random bytes, kept by the host
 * try (SimilarCaseSearch cbmir = SimilarCaseSearch.builder()
 *     .identifiers(IdentifierPolicy.pseudonymise(key)).create()) { ... }
 * }</pre>
 *
 * <p>Thread-safety: immutable; safe to share between threads.
 */
public sealed interface IdentifierPolicy {

  /** Identifiers stored as read (the default; see the README's privacy section). */
  static IdentifierPolicy keepAsIs() {
    return Keep.INSTANCE;
  }

  /**
   * Identifiers replaced by HMAC-SHA-256 pseudonyms under {@code key}.
   *
   * @param key at least 16 bytes (32 random bytes recommended); copied
   * @throws IllegalArgumentException if the key is shorter than 16 bytes
   */
  static IdentifierPolicy pseudonymise(byte[] key) {
    return new Pseudonymise(key);
  }

  /** The patient ID to store for {@code patientId}. */
  String patientId(String patientId);

  /** The study UID to store for {@code studyUid}; an empty (unknown) UID stays empty. */
  String studyUid(String studyUid);

  /** The series UID to store for {@code seriesUid}. */
  String seriesUid(String seriesUid);

  /** The reference with its identifiers replaced by this policy; the rest unchanged. */
  default SliceRef apply(SliceRef ref) {
    return ref.toBuilder()
        .patientId(patientId(ref.patientId()))
        .studyUid(studyUid(ref.studyUid()))
        .seriesUid(seriesUid(ref.seriesUid()))
        .build();
  }

  /** Keeps identifiers. Thread-safety: stateless. */
  final class Keep implements IdentifierPolicy {
    private static final Keep INSTANCE = new Keep();

    private Keep() {}

    @Override
    public String patientId(String patientId) {
      return patientId;
    }

    @Override
    public String studyUid(String studyUid) {
      return studyUid;
    }

    @Override
    public String seriesUid(String seriesUid) {
      return seriesUid;
    }

    @Override
    public SliceRef apply(SliceRef ref) {
      return ref;
    }

    @Override
    public String toString() {
      return "IdentifierPolicy.keepAsIs()";
    }
  }

  /**
   * Replaces identifiers by keyed hashes. Thread-safety: immutable; each call uses its own {@link
   * Mac}.
   */
  final class Pseudonymise implements IdentifierPolicy {
    private static final int MIN_KEY_BYTES = 16;
    private final SecretKeySpec key;

    private Pseudonymise(byte[] key) {
      Objects.requireNonNull(key, "key");
      if (key.length < MIN_KEY_BYTES) {
        throw new IllegalArgumentException(
            "pseudonymisation key must have at least "
                + MIN_KEY_BYTES
                + " bytes (32 random bytes recommended), got "
                + key.length);
      }
      this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** HMAC of the field name, a NUL and the value: the same text in two fields differs. */
    private byte[] mac(String field, String value) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        mac.update(field.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        return mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
      } catch (GeneralSecurityException e) {
        // HmacSHA256 is required of every Java platform; this cannot happen on a conforming JVM.
        throw new IllegalStateException("HmacSHA256 unavailable on this JVM", e);
      }
    }

    @Override
    public String patientId(String patientId) {
      return "anon-" + HexFormat.of().formatHex(mac("patient", patientId), 0, 12);
    }

    @Override
    public String studyUid(String studyUid) {
      return studyUid.isEmpty() ? "" : uid(mac("study", studyUid));
    }

    @Override
    public String seriesUid(String seriesUid) {
      return uid(mac("series", seriesUid));
    }

    private static String uid(byte[] mac) {
      byte[] first = new byte[15];
      System.arraycopy(mac, 0, first, 0, first.length);
      return "2.25." + new BigInteger(1, first);
    }

    @Override
    public String toString() {
      return "IdentifierPolicy.pseudonymise(HMAC-SHA-256, key withheld)";
    }
  }
}
