package org.cbmir.opensearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.cbmir.api.Embedding;
import org.cbmir.api.IndexConfig;
import org.cbmir.api.NoduleClass;
import org.cbmir.api.SliceRef;

/**
 * The index's shape on the node: its settings and mapping, one slice as a document, and back.
 *
 * <p>One document a slice, its id the ordinal. The hash code is a {@code knn_vector} of {@code
 * data_type: binary} (one signed byte per 8 bits, bit {@code i} of the code in bit {@code i % 8} of
 * byte {@code i / 8}), space {@code hamming}; FC1 a float {@code knn_vector}, space {@code l2}.
 * Both are scored exactly by the k-NN plugin's {@code knn_score} script, so {@code index.knn} is
 * off and no HNSW graph is built: no engine (neither Lucene's nor the native ones) is named,
 * because the plugin refuses method parameters on an index without graphs. Removal sets {@code
 * removed: true} and keeps the document, so that ordinals stay assigned across reopening.
 *
 * <p>Thread-safety: stateless.
 */
final class Documents {
  /** The version of this layout, in {@code _meta.cbmir.format}. */
  static final int FORMAT = 1;

  static final String CODE = "code";
  static final String FC1 = "fc1";
  static final String ORDINAL = "ordinal";
  static final String REMOVED = "removed";
  static final String PATIENT = "patient";
  static final String STUDY = "study";
  static final String SERIES = "series";
  static final String SLICE = "slice";
  static final String Z = "z";
  static final String CLASS = "class";
  static final String DIAMETER = "diameter";

  private Documents() {}

  /** Bytes of a packed code of this many bits. */
  static int codeBytes(int bits) {
    return (bits + 7) >>> 3;
  }

  /** The body of the create-index request. */
  static String createBody(IndexConfig config, OpenSearchTarget target) {
    ObjectNode body = Node.JSON.createObjectNode();
    ObjectNode index = body.putObject("settings").putObject("index");
    index.put("number_of_shards", target.shards());
    index.put("number_of_replicas", target.replicas());
    index.put("knn", false);
    // The coarse stage asks for the target-th slice in Hamming order, which may lie deep.
    index.put("max_result_window", Integer.MAX_VALUE);
    ObjectNode mappings = body.putObject("mappings");
    mappings.put("dynamic", "strict");
    ObjectNode meta = mappings.putObject("_meta").putObject("cbmir");
    meta.put("format", FORMAT);
    meta.put("modelFingerprint", config.modelFingerprint());
    meta.put("bits", config.bits());
    meta.put("featureDimension", config.featureDimension());
    ObjectNode p = mappings.putObject("properties");
    ObjectNode code = p.putObject(CODE);
    code.put("type", "knn_vector");
    code.put("dimension", 8 * codeBytes(config.bits()));
    code.put("data_type", "binary");
    code.put("space_type", "hamming");
    ObjectNode fc1 = p.putObject(FC1);
    fc1.put("type", "knn_vector");
    fc1.put("dimension", config.featureDimension());
    fc1.put("space_type", "l2");
    p.putObject(ORDINAL).put("type", "integer");
    p.putObject(REMOVED).put("type", "boolean");
    for (String keyword : new String[] {PATIENT, STUDY, SERIES, CLASS}) {
      p.putObject(keyword).put("type", "keyword");
    }
    p.putObject(SLICE).put("type", "integer");
    p.putObject(Z).put("type", "double");
    p.putObject(DIAMETER).put("type", "float");
    return body.toString();
  }

  /** The code packed into the bytes of a binary {@code knn_vector}. */
  static int[] codeBytes(long[] code, int bits) {
    int[] out = new int[codeBytes(bits)];
    for (int j = 0; j < out.length; j++) {
      out[j] = (byte) (code[j >>> 3] >>> ((j & 7) << 3));
    }
    return out;
  }

  /** Appends one slice's document as a JSON object. */
  static void appendDocument(StringBuilder sb, int ordinal, SliceRef ref, Embedding e) {
    sb.append("{\"").append(ORDINAL).append("\":").append(ordinal);
    sb.append(",\"").append(REMOVED).append("\":false");
    appendString(sb, PATIENT, ref.patientId());
    appendString(sb, STUDY, ref.studyUid());
    appendString(sb, SERIES, ref.seriesUid());
    sb.append(",\"").append(SLICE).append("\":").append(ref.sliceIndex());
    appendNumber(sb, Z, ref.zMm());
    appendString(sb, CLASS, ref.noduleClass().name());
    // Float precision, as the in-process index keeps it, so that both return equal refs.
    appendNumber(sb, DIAMETER, (float) ref.noduleDiameterMm());
    sb.append(",\"").append(CODE).append("\":[");
    int[] bytes = codeBytes(e.code(), e.bits());
    for (int j = 0; j < bytes.length; j++) {
      sb.append(j == 0 ? "" : ",").append(bytes[j]);
    }
    sb.append("],\"").append(FC1).append("\":[");
    float[] f = e.fc1();
    for (int j = 0; j < f.length; j++) {
      // Float.toString is the shortest decimal that reads back as the same float.
      sb.append(j == 0 ? "" : ",").append(f[j]);
    }
    sb.append("]}");
  }

  private static void appendString(StringBuilder sb, String field, String value) {
    try {
      sb.append(",\"").append(field).append("\":").append(Node.JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a string always serialises", e);
    }
  }

  private static void appendNumber(StringBuilder sb, String field, double value) {
    sb.append(",\"").append(field).append("\":");
    sb.append(Double.isNaN(value) ? "null" : Double.toString(value));
  }

  /** The reference a document's source holds. */
  static SliceRef ref(JsonNode source) {
    return SliceRef.builder()
        .patientId(source.path(PATIENT).asText())
        .studyUid(source.path(STUDY).asText(""))
        .seriesUid(source.path(SERIES).asText())
        .sliceIndex(source.path(SLICE).asInt())
        .zMm(number(source.path(Z)))
        .noduleClass(NoduleClass.valueOf(source.path(CLASS).asText(NoduleClass.UNKNOWN.name())))
        .noduleDiameterMm(number(source.path(DIAMETER)))
        .build();
  }

  private static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }

  /** Hamming distance between a document's code bytes and the query's. */
  static int hamming(JsonNode codeBytes, int[] query) {
    int d = 0;
    for (int j = 0; j < query.length; j++) {
      d += Integer.bitCount((codeBytes.path(j).asInt() ^ query[j]) & 0xFF);
    }
    return d;
  }

  /**
   * Euclidean distance between a document's FC1 features and the query's, as the float sum of
   * squared differences in index order, like the in-process index's scalar reference.
   */
  static float fc1Distance(JsonNode features, float[] query) {
    float s = 0;
    for (int j = 0; j < query.length; j++) {
      float d = (float) features.path(j).asDouble() - query[j];
      s += d * d;
    }
    return (float) Math.sqrt(s);
  }

  /** A JSON array of the values. */
  static ArrayNode array(int[] values) {
    ArrayNode a = Node.JSON.createArrayNode();
    for (int v : values) {
      a.add(v);
    }
    return a;
  }

  /** A JSON array of the values. */
  static ArrayNode array(float[] values) {
    ArrayNode a = Node.JSON.createArrayNode();
    for (float v : values) {
      a.add(v);
    }
    return a;
  }
}
