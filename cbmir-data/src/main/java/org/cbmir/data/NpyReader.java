package org.cbmir.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cbmir.api.UnreadableInputException;

/**
 * Reads the NumPy files {@link NpyWriter} writes (and any C-order {@code <f4}, {@code |u1} or
 * {@code <i8} array of format 1.0): shape, element type and data. The whole file is read into
 * memory.
 *
 * <pre>{@code
 * NpyReader labels = NpyReader.read(Path.of("target/dataset/test_labels.npy"));
 * long[] y = labels.longs();
 * }</pre>
 *
 * <p>Thread-safety: immutable after {@link #read}; safe to share.
 */
public final class NpyReader {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  private final String descr;
  private final long[] shape;
  private final ByteBuffer data;

  private NpyReader(String descr, long[] shape, ByteBuffer data) {
    this.descr = descr;
    this.shape = shape;
    this.data = data;
  }

  /**
   * Reads a file.
   *
   * @throws UnreadableInputException if it is not a version 1 {@code .npy} file of a supported
   *     type, is Fortran-ordered, or is shorter than its shape says
   */
  public static NpyReader read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < 10
        || (all[0] & 0xff) != 0x93
        || !new String(all, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")
        || all[6] != 1) {
      throw new UnreadableInputException(file, "not a NumPy .npy file of format version 1");
    }
    int headerLen = (all[8] & 0xff) | (all[9] & 0xff) << 8;
    if (10 + headerLen > all.length) {
      throw new UnreadableInputException(file, "truncated header");
    }
    String header = new String(all, 10, headerLen, StandardCharsets.US_ASCII);
    Matcher d = DESCR.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !s.find() || header.contains("'fortran_order': True")) {
      throw new UnreadableInputException(file, "unsupported header " + header.trim());
    }
    String descr = d.group(1);
    int bytes =
        switch (descr) {
          case "<f4" -> 4;
          case "|u1" -> 1;
          case "<i2" -> 2;
          case "<i8" -> 8;
          default ->
              throw new UnreadableInputException(
                  file,
                  "element type " + descr + " is not supported; supported: <f4, |u1, <i2, <i8");
        };
    long[] shape =
        Arrays.stream(s.group(1).split(","))
            .map(String::trim)
            .filter(t -> !t.isEmpty())
            .mapToLong(Long::parseLong)
            .toArray();
    long n = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    long need = 10L + headerLen + n * bytes;
    if (all.length < need) {
      throw new UnreadableInputException(
          file,
          "holds " + all.length + " bytes, shape " + Arrays.toString(shape) + " needs " + need);
    }
    ByteBuffer data =
        ByteBuffer.wrap(all, 10 + headerLen, (int) (n * bytes))
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    return new NpyReader(descr, shape, data);
  }

  /** The array's shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements in one record (the product of all dimensions but the first). */
  public int recordSize() {
    long r = 1;
    for (int i = 1; i < shape.length; i++) {
      r *= shape[i];
    }
    return Math.toIntExact(r);
  }

  /** Record {@code i} of a float32 array. */
  public float[] floats(int i) {
    require("<f4");
    float[] out = new float[recordSize()];
    data.duplicate()
        .order(ByteOrder.LITTLE_ENDIAN)
        .position(i * out.length * 4)
        .slice()
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(out);
    return out;
  }

  /** Record {@code i} of a uint8 array. */
  public byte[] bytes(int i) {
    require("|u1");
    byte[] out = new byte[recordSize()];
    data.duplicate().position(i * out.length).get(out);
    return out;
  }

  /** Record {@code i} of an int16 array. */
  public short[] shorts(int i) {
    require("<i2");
    short[] out = new short[recordSize()];
    data.duplicate()
        .order(ByteOrder.LITTLE_ENDIAN)
        .position(i * out.length * 2)
        .slice()
        .order(ByteOrder.LITTLE_ENDIAN)
        .asShortBuffer()
        .get(out);
    return out;
  }

  /** All values of an int64 array. */
  public long[] longs() {
    require("<i8");
    long[] out = new long[data.remaining() / 8];
    data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    return out;
  }

  private void require(String type) {
    if (!descr.equals(type)) {
      throw new IllegalStateException("array holds " + descr + ", not " + type);
    }
  }
}
