package org.cbmir.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.cbmir.api.UnreadableInputException;

/**
 * Which patients train the models and which test them: a split by patient, never by slice or by
 * nodule, so that no test patient's slice or nodule crop reaches training.
 *
 * <p>The shipped split ({@link #shipped()}) is the committed file {@code patient-split.csv} written
 * once by {@code training/make_split.py}: the four whole LIDC-IDRI series of {@code ../shared/data}
 * (0001 and 0002 train, 0003 and 0006 test), the COVID-19-NY-SBU patients, and the 865 patients of
 * the nodule crops, about 70/30 and stratified by each patient's largest nodule class. A patient
 * the file does not list is placed by a fixed hash of its ID (30% test), so that a larger archive
 * splits the same way on every machine.
 *
 * <pre>{@code
 * PatientSplit split = PatientSplit.shipped();
 * if (split.isTest("LIDC-IDRI-0003")) { ... }
 * }</pre>
 *
 * <p>Thread-safety: immutable; safe to share.
 */
public final class PatientSplit {
  /** The two parts. Thread-safety: immutable. */
  public enum Part {
    /** Patients whose slices and nodules the models learn from (and the evaluation indexes). */
    TRAIN,
    /** Patients held out: their slices and nodules are only ever queries. */
    TEST
  }

  private static final String RESOURCE = "patient-split.csv";
  private final Map<String, Part> listed;

  /** The part of unlisted patients, or null for the hash rule. */
  private final Part unlisted;

  private PatientSplit(Map<String, Part> listed, Part unlisted) {
    this.listed = Collections.unmodifiableMap(listed);
    this.unlisted = unlisted;
  }

  /** The committed split (see the class comment). */
  public static PatientSplit shipped() {
    try (InputStream in = PatientSplit.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " missing from cbmir-data");
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A split from a CSV file of {@code patient,split} rows ({@code split} = {@code train} or {@code
   * test}; lines starting with {@code #} are comments).
   *
   * @throws UnreadableInputException naming the file and line when a row is malformed
   */
  public static PatientSplit read(Path csv) throws IOException {
    try {
      return parse(Files.readString(csv, StandardCharsets.UTF_8), csv.toString());
    } catch (IllegalArgumentException e) {
      throw new UnreadableInputException(csv, e.getMessage(), e);
    }
  }

  /** A split that lists exactly these test patients; every other patient trains. */
  public static PatientSplit withTestPatients(Set<String> test) {
    Map<String, Part> m = new TreeMap<>();
    for (String p : test) {
      m.put(p, Part.TEST);
    }
    return new PatientSplit(m, Part.TRAIN);
  }

  private static PatientSplit parse(String text, String source) {
    Map<String, Part> m = new TreeMap<>();
    String[] lines = text.split("\r?\n", -1);
    boolean header = false;
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].trim();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (!header) {
        if (!l.equals("patient,split")) {
          throw new IllegalArgumentException(
              source
                  + " line "
                  + (i + 1)
                  + ": expected the header 'patient,split', got '"
                  + l
                  + "'");
        }
        header = true;
        continue;
      }
      String[] f = l.split(",", -1);
      if (f.length != 2 || f[0].isBlank()) {
        throw new IllegalArgumentException(
            source
                + " line "
                + (i + 1)
                + ": expected 'patient,train' or 'patient,test', got '"
                + l
                + "'");
      }
      Part p =
          switch (f[1].trim().toLowerCase(Locale.ROOT)) {
            case "train" -> Part.TRAIN;
            case "test" -> Part.TEST;
            default ->
                throw new IllegalArgumentException(
                    source
                        + " line "
                        + (i + 1)
                        + ": split '"
                        + f[1]
                        + "' is neither 'train' nor 'test'");
          };
      if (m.put(f[0].trim(), p) != null) {
        throw new IllegalArgumentException(
            source + " line " + (i + 1) + ": patient " + f[0] + " listed twice");
      }
    }
    return new PatientSplit(m, null);
  }

  /** The part a patient belongs to: as listed, else by a fixed hash of the ID (30% test). */
  public Part partOf(String patientId) {
    Part p = listed.get(patientId);
    if (p != null) {
      return p;
    }
    if (unlisted != null) {
      return unlisted;
    }
    CRC32C crc = new CRC32C();
    crc.update(patientId.getBytes(StandardCharsets.UTF_8));
    return crc.getValue() % 10 < 3 ? Part.TEST : Part.TRAIN;
  }

  /** Whether the patient is held out. */
  public boolean isTest(String patientId) {
    return partOf(patientId) == Part.TEST;
  }

  /** The listed patients of one part, sorted. */
  public Set<String> listed(Part part) {
    Set<String> out = new TreeSet<>();
    listed.forEach(
        (k, v) -> {
          if (v == part) {
            out.add(k);
          }
        });
    return out;
  }
}
