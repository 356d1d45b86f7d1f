package org.cbmir.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.cbmir.api.UnreadableInputException;

/**
 * Reads the DICOM Part-10 preamble and file meta group (0002), which is always explicit-VR
 * little-endian, to learn the transfer syntax before the pixel decoder sees the file.
 *
 * <p>Why our own code: the decoder we use (ImageJ's) reports an unsupported or compressed file
 * through its GUI error channel, not as an exception, and half-reads truncated files; reading these
 * few bytes ourselves turns both into a clear {@link UnreadableInputException}. It is fuzz-tested
 * (random and truncated headers must fail with that exception and nothing else).
 *
 * <p>Thread-safety: stateless; all methods are thread-safe.
 */
final class DicomFileMeta {
  /** Transfer syntaxes the decoder reads: uncompressed pixel data. */
  static final Map<String, String> SUPPORTED =
      Map.of(
          "1.2.840.10008.1.2", "Implicit VR Little Endian",
          "1.2.840.10008.1.2.1", "Explicit VR Little Endian",
          "1.2.840.10008.1.2.2", "Explicit VR Big Endian");

  private static final Map<String, String> KNOWN_COMPRESSED =
      Map.of(
          "1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian",
          "1.2.840.10008.1.2.4.50", "JPEG Baseline",
          "1.2.840.10008.1.2.4.57", "JPEG Lossless",
          "1.2.840.10008.1.2.4.70", "JPEG Lossless SV1",
          "1.2.840.10008.1.2.4.80", "JPEG-LS Lossless",
          "1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless",
          "1.2.840.10008.1.2.4.91", "JPEG 2000",
          "1.2.840.10008.1.2.5", "RLE Lossless");

  private DicomFileMeta() {}

  /** Whether the file starts with a 128-byte preamble and the "DICM" marker. */
  static boolean hasMarker(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(132);
      return head.length == 132
          && head[128] == 'D'
          && head[129] == 'I'
          && head[130] == 'C'
          && head[131] == 'M';
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The transfer syntax UID of a Part-10 file.
   *
   * @throws UnreadableInputException if the file has no DICM marker, its meta group is malformed or
   *     truncated, or its transfer syntax is compressed or unknown
   */
  static String checkTransferSyntax(Path file) throws UnreadableInputException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(64 * 1024);
    } catch (IOException e) {
      throw new UnreadableInputException(file, "cannot read: " + e.getMessage(), e);
    }
    return checkTransferSyntax(file, bytes);
  }

  static String checkTransferSyntax(Path file, byte[] b) throws UnreadableInputException {
    if (b.length < 132 || b[128] != 'D' || b[129] != 'I' || b[130] != 'C' || b[131] != 'M') {
      throw new UnreadableInputException(
          file, "not a DICOM Part-10 file (no 'DICM' marker after the 128-byte preamble)");
    }
    int p = 132;
    String syntax = null;
    while (p + 8 <= b.length) {
      int group = u16(b, p);
      int element = u16(b, p + 2);
      if (group != 0x0002) {
        break;
      }
      String vr = new String(b, p + 4, 2, StandardCharsets.US_ASCII);
      long len;
      int header;
      if (vr.equals("OB")
          || vr.equals("OW")
          || vr.equals("SQ")
          || vr.equals("UN")
          || vr.equals("UT")
          || vr.equals("UC")
          || vr.equals("UR")
          || vr.equals("OF")) {
        if (p + 12 > b.length) {
          break;
        }
        len = u32(b, p + 8);
        header = 12;
      } else if (vr.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
        len = u16(b, p + 6);
        header = 8;
      } else {
        throw new UnreadableInputException(
            file,
            String.format(
                Locale.ROOT,
                "malformed file meta group: element (0002,%04X) has no valid VR",
                element));
      }
      if (len < 0 || p + header + len > b.length) {
        throw new UnreadableInputException(
            file,
            String.format(
                Locale.ROOT, "truncated file meta group at element (0002,%04X)", element));
      }
      if (element == 0x0010) {
        syntax =
            new String(b, p + header, (int) len, StandardCharsets.US_ASCII)
                .replace("\0", "")
                .trim();
      }
      p += header + (int) len;
    }
    if (syntax == null) {
      throw new UnreadableInputException(
          file,
          "the file meta group has no transfer syntax UID (0002,0010), or the file is truncated");
    }
    if (SUPPORTED.containsKey(syntax)) {
      return syntax;
    }
    String name = KNOWN_COMPRESSED.getOrDefault(syntax, "unknown");
    throw new UnreadableInputException(
        file,
        "transfer syntax "
            + syntax
            + " ("
            + name
            + ") is not supported; readable syntaxes: "
            + SUPPORTED.values()
            + ". Decompress the series first (e.g. dcmdjpeg or gdcmconv --raw)");
  }

  private static int u16(byte[] b, int p) {
    return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
  }

  private static long u32(byte[] b, int p) {
    return (b[p] & 0xffL)
        | (b[p + 1] & 0xffL) << 8
        | (b[p + 2] & 0xffL) << 16
        | (b[p + 3] & 0xffL) << 24;
  }
}
