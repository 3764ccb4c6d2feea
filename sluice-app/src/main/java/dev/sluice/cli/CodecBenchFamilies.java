package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.codec.CodecModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of {@code codec bench} over a directory of stream families: every family measured as a
 * directory of its own (one edge link carrying its streams, each stream a fresh codec state), side
 * by side with gzip -6 and zstd -19 with the model's dictionary, in wire bytes per byte of answer
 * text. The JSON has, under {@code families}, each family's object exactly as a bench of that
 * directory alone prints it.
 */
final class CodecBenchFamilies {
  private CodecBenchFamilies() {}

  static ObjectNode json(Map<String, CodecBench.Totals> totals, CodecModel model, int dictionary) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("roundtrip_ok", totals.values().stream().allMatch(CodecBench.Totals::roundTripOk));
    o.put(
        "note",
        "one entry per family directory, each measured as a directory of its own: see"
            + " wire_bytes_note in each");
    ObjectNode m = o.putObject("model");
    m.put("source", model.source());
    m.put("id", model.idHex());
    m.put("zstd_dictionary_bytes", dictionary);
    ObjectNode families = o.putObject("families");
    totals.forEach((name, t) -> families.set(name, CodecBenchCommand.json(t, model, dictionary)));
    return o;
  }

  static void table(
      PrintWriter out,
      Map<String, CodecBench.Totals> totals,
      Path dir,
      CodecModel model,
      int dictionary) {
    out.printf(Locale.ROOT, "streams:    %d families in %s%n", totals.size(), dir);
    out.println("model:      " + model.label());
    List<String> failed = new ArrayList<>();
    totals.forEach(
        (name, t) ->
            t.failures.forEach(r -> failed.add(name + "/" + r.name() + ": " + r.failure())));
    if (failed.isEmpty()) {
      out.println("round trip: OK, every stream of every family restored byte for byte");
    } else {
      out.printf(Locale.ROOT, "round trip: FAILED for %d streams%n", failed.size());
      failed.forEach(f -> out.println("  " + f));
    }
    out.println();
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "wire bytes per text byte",
          "streams",
          "text bytes",
          "sluice codec",
          "gzip -6",
          dictionary == 0 ? "zstd -19" : "zstd -19 + dict",
          "none"
        });
    totals.forEach(
        (name, t) ->
            rows.add(
                new String[] {
                  name,
                  String.format(Locale.ROOT, "%,d", t.streams),
                  String.format(Locale.ROOT, "%,d", t.textBytes),
                  perText(t.wireBytes, t),
                  perText(t.gzip6, t),
                  perText(t.zstd19, t),
                  perText(t.inputBytes, t)
                }));
    TextTable.print(rows, new boolean[] {false, true, true, true, true, true, true}, out);
    out.println();
    out.println(
        "Each family is one edge link carrying its streams one after another (magic and ACCEPT"
            + " once, FRAME messages and each stream's END counted), every stream with a fresh codec state; gzip and"
            + " zstd compress each whole stream on its own and count their output only. Text"
            + " bytes: the .text sidecars where present.");
  }

  private static String perText(long wire, CodecBench.Totals t) {
    return t.textBytes == 0 ? "-" : String.format(Locale.ROOT, "%.3f", (double) wire / t.textBytes);
  }
}
