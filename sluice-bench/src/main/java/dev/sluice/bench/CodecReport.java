package dev.sluice.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The table {@code bench/codec.sh} prints: the {@code sluice codec bench --json} results of several
 * stream sets side by side, wire bytes per byte of answer text for every method, as Markdown.
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
    System.out.print(table(labels, results));
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
