package org.cbmir.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.cbmir.api.CbmirException;
import org.cbmir.api.CtVolume;
import org.cbmir.api.UnreadableInputException;
import org.cbmir.api.VolumeReader;
import org.cbmir.api.testing.Robustness;
import org.cbmir.api.testing.SeedReporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of every reader, from the committed seeds in {@code
 * src/test/resources/org/cbmir/data/fuzz}: bytes flipped, overwritten, inserted, deleted,
 * truncated, duplicated; for text formats also lines dropped or repeated, numbers replaced by
 * extreme values and deep nesting. A reader may accept an input or refuse it with {@link
 * UnreadableInputException} (thrown, or reported to the listener); any other exception or error is
 * a failure, and the input is kept in {@code target/fuzz-failures} to be committed as a regression
 * case under {@code fuzz/regressions}. {@code mvn -B verify} runs 1,000 inputs per reader, {@code
 * -Pfuzz} 100,000.
 */
@ExtendWith(SeedReporter.class)
class ReaderFuzzTest {
  @TempDir Path dir;

  /** One reader under test: reads the input; false when it reported the file as skipped. */
  interface Target {
    boolean read(Path file) throws IOException;
  }

  private static final String[] EXTREMES = {
    "NaN",
    "-1",
    "0",
    "1e309",
    "-1e309",
    "2147483648",
    "-2147483649",
    "99999999999999999999",
    "4.9e-324",
    "",
    "-0",
    "Infinity",
    "0x10",
    "1,5"
  };

  static byte[] seed(String name) {
    try (InputStream in = ReaderFuzzTest.class.getResourceAsStream("fuzz/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final CtVolume VOLUME;

  static {
    try {
      Path tmp = Files.createTempDirectory("seed");
      Files.write(tmp.resolve("vol.mhd"), seed("vol.mhd"));
      Files.write(tmp.resolve("vol.raw"), seed("vol.raw"));
      VOLUME = MetaImage.read(tmp.resolve("vol.mhd"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void dicom() throws IOException {
    fuzz(
        "dicom",
        "ct.dcm",
        false,
        file -> {
          int[] skipped = {0};
          new DicomSeriesReader().read(file, strict(skipped));
          return skipped[0] == 0;
        });
  }

  @Test
  void metaImageHeader() throws IOException {
    Files.write(dir.resolve("vol.raw"), seed("vol.raw"));
    fuzz(
        "metaimage",
        "vol.mhd",
        true,
        file -> {
          Path header = file.resolveSibling("vol.mhd");
          Files.move(file, header, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          MetaImage.read(header);
          return true;
        });
  }

  @Test
  void lidcXml() throws IOException {
    fuzz(
        "lidc-xml",
        "lidc.xml",
        true,
        file -> {
          LidcAnnotations.seriesUid(file);
          LidcAnnotations.nodules(file, VOLUME);
          return true;
        });
  }

  @Test
  void luna16Csv() throws IOException {
    fuzz(
        "luna16-csv",
        "annotations.csv",
        true,
        file -> {
          for (Nodule n : Luna16Annotations.read(file)) {
            n.isInside(VOLUME);
          }
          return true;
        });
  }

  /** A listener that turns a reported file into the exception the fuzzer accepts. */
  private static VolumeReader.ReadListener strict(int[] skipped) {
    return new VolumeReader.ReadListener() {
      @Override
      public void skipped(Path file, CbmirException reason) {
        skipped[0]++;
        if (!(reason instanceof UnreadableInputException)) {
          throw new AssertionError("reported with " + reason.getClass().getName(), reason);
        }
      }
    };
  }

  private void fuzz(String name, String seedName, boolean text, Target target) throws IOException {
    byte[] seed = seed(seedName);
    Random rnd = new Random(Robustness.SEED ^ name.hashCode());
    int trials = Robustness.trials(1_000, 100_000);
    int accepted = 0;
    int refused = 0;
    List<String> failures = new ArrayList<>();
    Path file = dir.resolve("input-" + seedName);
    // Committed regression cases first, then fresh mutations.
    List<byte[]> inputs = regressions(name);
    int regressionCount = inputs.size();
    for (int t = 0; t < trials + regressionCount; t++) {
      byte[] input = t < regressionCount ? inputs.get(t) : mutate(seed, text, rnd);
      Files.write(file, input);
      try {
        if (target.read(file)) {
          accepted++;
        } else {
          refused++;
        }
      } catch (UnreadableInputException e) {
        refused++;
      } catch (IOException | RuntimeException | Error e) {
        Path kept = Path.of("target", "fuzz-failures", name + "-" + Robustness.SEED + "-" + t);
        Files.createDirectories(kept.getParent());
        Files.write(kept, input);
        failures.add(kept + ": " + e);
      }
    }
    Robustness.report(
        "reader fuzz " + name,
        (trials + regressionCount)
            + " inputs ("
            + regressionCount
            + " committed regressions) from seed "
            + seedName
            + ": "
            + accepted
            + " accepted, "
            + refused
            + " refused with UnreadableInputException, "
            + failures.size()
            + " other exceptions");
    assertTrue(
        failures.isEmpty(),
        failures.size()
            + " inputs escaped with other exceptions,"
            + " kept for regression:\n"
            + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
  }

  private static List<byte[]> regressions(String name) throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; ; i++) {
      try (InputStream in =
          ReaderFuzzTest.class.getResourceAsStream("fuzz/regressions/" + name + "-" + i)) {
        if (in == null) {
          return out;
        }
        out.add(in.readAllBytes());
      }
    }
  }

  static byte[] mutate(byte[] seed, boolean text, Random rnd) {
    byte[] b = seed;
    for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
      b = text && rnd.nextBoolean() ? mutateText(b, rnd) : mutateBytes(b, rnd);
    }
    return b;
  }

  private static byte[] mutateBytes(byte[] s, Random rnd) {
    if (s.length == 0) {
      return new byte[] {(byte) rnd.nextInt(256)};
    }
    int at = rnd.nextInt(s.length);
    int len = 1 + rnd.nextInt(Math.min(32, s.length));
    byte[] b;
    switch (rnd.nextInt(6)) {
      case 0 -> {
        b = s.clone();
        b[at] ^= (byte) (1 << rnd.nextInt(8));
      }
      case 1 -> {
        b = s.clone();
        for (int i = at; i < Math.min(b.length, at + len); i++) {
          b[i] = (byte) (rnd.nextBoolean() ? rnd.nextInt(256) : 0xff);
        }
      }
      case 2 -> {
        b = new byte[s.length + len];
        System.arraycopy(s, 0, b, 0, at);
        for (int i = 0; i < len; i++) {
          b[at + i] = (byte) rnd.nextInt(256);
        }
        System.arraycopy(s, at, b, at + len, s.length - at);
      }
      case 3 -> {
        int end = Math.min(s.length, at + len);
        b = new byte[s.length - (end - at)];
        System.arraycopy(s, 0, b, 0, at);
        System.arraycopy(s, end, b, at, s.length - end);
      }
      case 4 -> b = Arrays.copyOf(s, at);
      default -> {
        int end = Math.min(s.length, at + len);
        b = new byte[s.length + (end - at)];
        System.arraycopy(s, 0, b, 0, end);
        System.arraycopy(s, at, b, end, s.length - at);
      }
    }
    return b;
  }

  private static byte[] mutateText(byte[] s, Random rnd) {
    String t = new String(s, StandardCharsets.ISO_8859_1);
    List<String> lines = new ArrayList<>(Arrays.asList(t.split("\n", -1)));
    switch (rnd.nextInt(5)) {
      case 0 -> {
        // A number replaced by an extreme value.
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?").matcher(t);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) {
          spans.add(new int[] {m.start(), m.end()});
        }
        if (!spans.isEmpty()) {
          int[] sp = spans.get(rnd.nextInt(spans.size()));
          t = t.substring(0, sp[0]) + EXTREMES[rnd.nextInt(EXTREMES.length)] + t.substring(sp[1]);
        }
        return t.getBytes(StandardCharsets.ISO_8859_1);
      }
      case 1 -> lines.remove(rnd.nextInt(lines.size()));
      case 2 -> lines.add(rnd.nextInt(lines.size() + 1), lines.get(rnd.nextInt(lines.size())));
      case 3 -> {
        // Deep nesting or a long line.
        int i = rnd.nextInt(lines.size());
        // Capped, so that stacked mutations stay in the megabytes.
        lines.set(
            i,
            rnd.nextBoolean()
                ? "<a>".repeat(5_000 + rnd.nextInt(20_000))
                : lines
                    .get(i)
                    .repeat(Math.max(1, Math.min(200, 100_000 / (1 + lines.get(i).length())))));
      }
      default ->
          lines.set(
              rnd.nextInt(lines.size()),
              new String(
                  new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff, 0, (byte) 0xfe},
                  StandardCharsets.ISO_8859_1));
    }
    return String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
  }
}
