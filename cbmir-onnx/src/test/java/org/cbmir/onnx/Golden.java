package org.cbmir.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The golden tensors training/train.py saved: raw little-endian float32, shapes in golden.json. */
final class Golden {
  private Golden() {}

  static float[] tensor(String name) throws IOException {
    try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name + ".f32")) {
      if (in == null) {
        throw new IOException("golden tensor " + name + " missing");
      }
      ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[b.remaining() / 4];
      b.asFloatBuffer().get(out);
      return out;
    }
  }

  static String resource(String path) throws IOException {
    try (InputStream in = Golden.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IOException(path + " missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The object that follows {@code "key":} in our own JSON files, braces included. */
  static String section(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\\{").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no object " + key);
    }
    int open = m.end() - 1;
    int depth = 0;
    for (int i = open; i < json.length(); i++) {
      char c = json.charAt(i);
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (depth == 0) {
        return json.substring(open, i + 1);
      }
    }
    throw new IllegalArgumentException("unbalanced object " + key);
  }

  /** A number or string field of our own flat JSON files, found by key. */
  static String field(String json, String key) {
    Matcher m =
        Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"?([^\",}\\n]+)\"?").matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException(
          "no " + key + " in " + json.substring(0, Math.min(200, json.length())));
    }
    return m.group(1).trim();
  }
}
