package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The tables {@code bench/codec.sh} prints from the {@code sluice codec bench --json} results of
 * several stream sets, as Markdown. For results of family directories: one table of wire bytes per
 * byte of answer text for every family (the sluice codec, gzip -6, zstd -19 with the model's
 * dictionary, per set), then the detail of every method for {@value #DETAIL} side by side. For
 * results of a flat directory: that detail table alone.
 *
 * <p>{@code java -cp benchmarks.jar dev.sluice.bench.CodecReport LABEL=FILE.json...}
 */
public final class CodecReport {

  private static final String[][] METHODS = {
    {"sluice codec (one edge link carrying the streams, framing included)", null},
    {"gzip -6", "gzip_6"},
    {"zstd -3", "zstd_3"},
    {"zstd -19 + model dictionary", "zstd_19_dict"},
    {"the SSE streams as they are", "none"},
  };

  /** The family whose every method the detail table shows. */
  static final String DETAIL = "openai-chat";

  private static final String[][] FAMILY_METHODS = {
    {"sluice codec", null}, {"gzip -6", "gzip_6"}, {"zstd -19 + dict", "zstd_19_dict"},
  };

  private CodecReport() {}

  public static void main(String[] args) throws IOException {
    List<String> labels = new ArrayList<>();
    List<JsonNode> results = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String a : args) {
      int eq = a.indexOf('=');
      labels.add(a.substring(0, eq));
      results.add(json.readTree(Path.of(a.substring(eq + 1)).toFile()));
    }
    System.out.print(report(labels, results));
  }

  /** The whole report: by family when the results have families, else the detail table. */
  static String report(List<String> labels, List<JsonNode> results) {
    if (results.isEmpty() || !results.get(0).has("families")) {
      return table(labels, results);
    }
    StringBuilder b = new StringBuilder();
    b.append(familyTable(labels, results)).append('\n');
    List<JsonNode> detail = new ArrayList<>();
    for (JsonNode r : results) {
      detail.add(r.path("families").path(DETAIL));
    }
    if (detail.stream().allMatch(JsonNode::isObject)) {
      b.append("Every method, ").append(DETAIL).append(":\n\n").append(table(labels, detail));
    }
    return b.toString();
  }

  /** Wire bytes per text byte, a row per family, three methods per set. */
  static String familyTable(List<String> labels, List<JsonNode> results) {
    StringBuilder b = new StringBuilder("| wire bytes per byte of answer text |");
    for (String l : labels) {
      for (String[] m : FAMILY_METHODS) {
        b.append(' ').append(l).append(": ").append(m[0]).append(" |");
      }
    }
    b.append("\n|---|");
    b.append("---:|".repeat(labels.size() * FAMILY_METHODS.length)).append('\n');
    Set<String> families = new LinkedHashSet<>();
    results.forEach(r -> r.path("families").fieldNames().forEachRemaining(families::add));
    for (String f : families) {
      b.append("| ").append(f).append(" |");
      for (JsonNode r : results) {
        JsonNode t = r.path("families").path(f);
        for (String[] m : FAMILY_METHODS) {
          JsonNode v =
              m[1] == null
                  ? t.get("wire_per_text_byte")
                  : t.at("/methods/" + m[1] + "/per_text_byte");
          String cell =
              v == null || !v.isNumber() ? "-" : String.format(Locale.ROOT, "%.3f", v.asDouble());
          if (m[1] == null && t.has("roundtrip_ok") && !t.get("roundtrip_ok").asBoolean()) {
            cell += " (round trip FAILED)";
          }
          b.append(' ').append(m[1] == null ? "**" + cell + "**" : cell).append(" |");
        }
      }
      b.append('\n');
    }
    return b.toString();
  }

  static String table(List<String> labels, List<JsonNode> results) {
    StringBuilder b = new StringBuilder();
    b.append("| wire bytes per byte of answer text |");
    labels.forEach(l -> b.append(' ').append(l).append(" |"));
    b.append('\n').append("|---|");
    labels.forEach(l -> b.append("---:|"));
    b.append('\n');
    for (String[] m : METHODS) {
      String name = m[0];
      if (m[1] != null && m[1].equals("zstd_19_dict")) {
        boolean none =
            results.stream().anyMatch(r -> r.at("/model/zstd_dictionary_bytes").asLong() == 0);
        if (none) {
          name = "zstd -19 (the model has no dictionary)";
        }
      }
      b.append("| ").append(m[1] == null ? "**" + name + "**" : name).append(" |");
      for (JsonNode r : results) {
        JsonNode v =
            m[1] == null
                ? r.get("wire_per_text_byte")
                : r.at("/methods/" + m[1] + "/per_text_byte");
        String cell =
            v == null || !v.isNumber() ? "-" : String.format(Locale.ROOT, "%.3f", v.asDouble());
        b.append(' ').append(m[1] == null ? "**" + cell + "**" : cell).append(" |");
      }
      b.append('\n');
      if (m[1] == null) {
        b.append("| sluice codec, an edge link per stream (handshake and END each) |");
        for (JsonNode r : results) {
          b.append(
              String.format(
                  Locale.ROOT,
                  " %.3f |",
                  r.get("wire_bytes_link_per_stream").asDouble() / r.get("text_bytes").asDouble()));
        }
        b.append('\n');
        b.append("| sluice codec, segments only (no link framing) |");
        for (JsonNode r : results) {
          b.append(
              String.format(
                  Locale.ROOT,
                  " %.3f |",
                  r.get("segment_bytes").asDouble() / r.get("text_bytes").asDouble()));
        }
        b.append('\n');
      }
    }
    row(b, "streams", results, r -> String.format(Locale.ROOT, "%,d", r.get("streams").asLong()));
    row(
        b,
        "input bytes",
        results,
        r -> String.format(Locale.ROOT, "%,d", r.get("input_bytes").asLong()));
    row(
        b,
        "answer text bytes",
        results,
        r -> String.format(Locale.ROOT, "%,d", r.get("text_bytes").asLong()));
    row(b, "round trip", results, r -> r.get("roundtrip_ok").asBoolean() ? "ok" : "**FAILED**");
    row(
        b,
        "encode / decode MB/s of input (one thread)",
        results,
        r ->
            String.format(
                Locale.ROOT,
                "%.0f / %.0f",
                r.get("encode_mb_per_s").asDouble(),
                r.get("decode_mb_per_s").asDouble()));
    return b.toString();
  }

  private static void row(
      StringBuilder b, String name, List<JsonNode> results, Function<JsonNode, String> f) {
    b.append("| ").append(name).append(" |");
    for (JsonNode r : results) {
      b.append(' ').append(f.apply(r)).append(" |");
    }
    b.append('\n');
  }
}
