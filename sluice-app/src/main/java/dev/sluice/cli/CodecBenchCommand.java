package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.codec.CodecModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sluice codec bench --streams DIR [--model MODEL] [--json]}: every regular file of DIR,
 * sorted by name, is one egress stream; {@link CodecBench} compresses, restores and compares each
 * on its own, and this command prints the totals with gzip -6, zstd -3 and zstd -19 (with the
 * model's dictionary) on the same files. When DIR has no stream files but family directories
 * ({@code openai-chat/}, {@code anthropic/}, ..., as {@code bench/codec.sh} writes them), each
 * family is measured as such a directory and reported in a row of its own ({@link
 * CodecBenchFamilies}). Answer text bytes come from each stream's {@code NAME.text} sidecar when
 * there is one ({@link CodecBenchInputs}), else from the stream ({@link AnswerText}). The codec's
 * link bytes are given twice: {@code wire_bytes}, one edge link carrying all the streams one after
 * another (magic and ACCEPT once, one END), and {@code wire_bytes_link_per_stream}, each stream on
 * a link of its own.
 *
 * <p>Exit codes: 0 every stream came back identical; 1 one did not (each named, with the first
 * differing offset); 2 bad options, DIR not a directory or without files; 3 a file or the model
 * cannot be read.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Compress every file of a directory as one egress stream with a fresh codec state, restore"
          + " and compare it, and compare the bytes an edge link would carry with gzip and zstd.",
      "Link bytes, framing included, two ways: wire_bytes is one edge link carrying all the"
          + " streams one after another (as one keep-alive client connection carries many"
          + " responses): the magic and ACCEPT once, then each stream's FRAME messages (a codec"
          + " frame each) and its END. wire_bytes_link_per_stream is each stream on its own link"
          + " (magic, ACCEPT, FRAMEs, END each). Either way every stream starts with a fresh codec"
          + " state.",
      "Exit 0 when every stream round-trips, 1 when one does not."
    })
final class CodecBenchCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--streams",
      paramLabel = "DIR",
      required = true,
      description =
          "Directory of egress streams, one file each (e.g. SSE response bodies), or of one"
              + " directory per stream family, each reported on its own; NAME.text beside a stream"
              + " holds its answer text.")
  Path streams;

  @CommandLine.Mixin ModelOption modelOption;

  @Option(names = "--json", description = "One JSON object with the totals instead of a table.")
  boolean json;

  /** What happens to each segment between encoder and decoder; tests break it. */
  UnaryOperator<byte[]> link = UnaryOperator.identity();

  @Override
  public Integer call() {
    try {
      return bench();
    } catch (CommandFailure e) {
      return Failures.report(spec, e);
    }
  }

  private int bench() throws CommandFailure {
    List<CodecBenchInputs.StreamSet> sets = CodecBenchInputs.find(streams);
    CodecModel model = modelOption.load();
    Map<String, CodecBench.Totals> totals = new LinkedHashMap<>();
    int dictionaryBytes = 0;
    for (CodecBenchInputs.StreamSet set : sets) {
      CodecBench bench = new CodecBench(model, SluiceCli.io(spec).clock(), link);
      CodecBench.Totals t = new CodecBench.Totals();
      try {
        for (Path f : set.files()) {
          byte[] input;
          try {
            input = Files.readAllBytes(f);
          } catch (IOException e) {
            throw new CommandFailure(SluiceCli.EXIT_IO, "cannot read " + f + ": " + e);
          }
          long text = CodecBenchInputs.sidecarTextBytes(f);
          t.add(bench.run(f.getFileName().toString(), input, text));
        }
        t.wireBytes = bench.oneLinkBytes();
        dictionaryBytes = bench.dictionaryBytes();
      } finally {
        bench.close();
      }
      totals.put(set.name(), t);
    }
    PrintWriter out = spec.commandLine().getOut();
    CodecBench.Totals only = sets.get(0).name() == null ? totals.get(null) : null;
    if (only != null && json) {
      out.println(json(only, model, dictionaryBytes).toPrettyString());
    } else if (only != null) {
      table(out, only, model, dictionaryBytes);
    } else if (json) {
      out.println(CodecBenchFamilies.json(totals, model, dictionaryBytes).toPrettyString());
    } else {
      CodecBenchFamilies.table(out, totals, streams, model, dictionaryBytes);
    }
    out.flush();
    boolean ok = totals.values().stream().allMatch(CodecBench.Totals::roundTripOk);
    return ok ? 0 : SluiceCli.EXIT_CHECK_FAILED;
  }

  static ObjectNode json(CodecBench.Totals t, CodecModel model, int dictionaryBytes) {
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("streams", t.streams);
    o.put("input_bytes", t.inputBytes);
    o.put("text_bytes", t.textBytes);
    o.put("wire_bytes", t.wireBytes);
    o.put("wire_bytes_link_per_stream", t.wireBytesLinkPerStream);
    o.put(
        "wire_bytes_note",
        "wire_bytes: one edge link carrying all the streams one after another (magic and ACCEPT"
            + " once, each stream's FRAME messages and END); wire_bytes_link_per_stream: each"
            + " stream on its own link (magic, ACCEPT, FRAMEs, END each); both count framing and"
            + " CRCs (plain TCP), and every stream has a fresh codec state");
    o.put("segment_bytes", t.segmentBytes);
    o.put("segments", t.segments);
    o.put("frames", t.frames);
    o.put("roundtrip_ok", t.roundTripOk());
    ratio(o, "wire_per_input_byte", t.wireBytes, t.inputBytes);
    ratio(o, "wire_per_text_byte", t.wireBytes, t.textBytes);
    ratio(o, "wire_per_text_byte_link_per_stream", t.wireBytesLinkPerStream, t.textBytes);
    o.put("encode_mb_per_s", round(mbPerS(t.inputBytes, t.encodeNanos)));
    o.put("decode_mb_per_s", round(mbPerS(t.inputBytes, t.decodeNanos)));
    ObjectNode m = o.putObject("model");
    m.put("source", model.source());
    m.put("id", model.idHex());
    m.put("zstd_dictionary_bytes", dictionaryBytes);
    ObjectNode methods = o.putObject("methods");
    method(methods.putObject("none"), t.inputBytes, t);
    method(methods.putObject("gzip_6"), t.gzip6, t);
    method(methods.putObject("zstd_3"), t.zstd3, t);
    ObjectNode z = methods.putObject("zstd_19_dict");
    method(z, t.zstd19, t);
    z.put("dictionary_bytes", dictionaryBytes);
    if (dictionaryBytes == 0) {
      z.put("note", "the model has no zstd dictionary: zstd -19 without one");
    }
    var failures = o.putArray("failures");
    for (CodecBench.StreamResult r : t.failures) {
      failures.addObject().put("stream", r.name()).put("problem", r.failure());
    }
    return o;
  }

  private static void method(ObjectNode o, long wire, CodecBench.Totals t) {
    o.put("wire_bytes", wire);
    ratio(o, "per_input_byte", wire, t.inputBytes);
    ratio(o, "per_text_byte", wire, t.textBytes);
  }

  /** {@code a / b} rounded to 4 decimals, or null when b is 0. */
  private static void ratio(ObjectNode o, String field, long a, long b) {
    if (b == 0) {
      o.putNull(field);
    } else {
      o.put(field, round((double) a / b));
    }
  }

  private static double round(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }

  static double mbPerS(long bytes, long nanos) {
    return nanos <= 0 ? 0 : bytes * 1e3 / nanos;
  }

  private void table(PrintWriter out, CodecBench.Totals t, CodecModel model, int dictionaryBytes) {
    out.printf(
        Locale.ROOT,
        "streams:    %,d files in %s: %s, of which %s answer text%n",
        t.streams,
        streams,
        HumanBytes.withExact(t.inputBytes),
        HumanBytes.withExact(t.textBytes));
    out.println("model:      " + model.label());
    if (t.roundTripOk()) {
      out.println("round trip: OK, every stream restored byte for byte");
    } else {
      out.printf(
          Locale.ROOT, "round trip: FAILED for %d of %d streams%n", t.failures.size(), t.streams);
      for (CodecBench.StreamResult r : t.failures) {
        out.println("  " + r.name() + ": " + r.failure());
      }
    }
    out.println();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"method", "wire bytes", "per input byte", "per text byte"});
    rows.add(row("sluice codec, one edge link for all streams", t.wireBytes, t));
    rows.add(row("sluice codec, an edge link per stream", t.wireBytesLinkPerStream, t));
    rows.add(row("gzip -6", t.gzip6, t));
    rows.add(row("zstd -3", t.zstd3, t));
    rows.add(
        row(
            dictionaryBytes == 0
                ? "zstd -19 (the model has no dictionary)"
                : "zstd -19 + " + HumanBytes.rounded(dictionaryBytes) + " dictionary",
            t.zstd19,
            t));
    rows.add(row("none (the streams as they are)", t.inputBytes, t));
    TextTable.print(rows, new boolean[] {false, true, true, true}, out);
    out.println();
    out.printf(
        Locale.ROOT,
        "codec: %d segments, %d frames, %s of segments; encode %.1f MB/s, decode %.1f MB/s (of"
            + " input)%n",
        t.segments,
        t.frames,
        HumanBytes.withExact(t.segmentBytes),
        mbPerS(t.inputBytes, t.encodeNanos),
        mbPerS(t.inputBytes, t.decodeNanos));
    out.println(
        "The codec counts every byte of the link (magic, ACCEPT, FRAME messages, END, CRCs): on"
            + " one link that carries the streams one after another (magic and ACCEPT once), and with"
            + " a link of its own per stream; every stream starts with a fresh codec state. gzip"
            + " and zstd count their output only.");
  }

  private static String[] row(String name, long wire, CodecBench.Totals t) {
    return new String[] {
      name,
      String.format(Locale.ROOT, "%,d", wire),
      perByte(wire, t.inputBytes),
      perByte(wire, t.textBytes)
    };
  }

  private static String perByte(long wire, long of) {
    return of == 0 ? "-" : String.format(Locale.ROOT, "%.3f", (double) wire / of);
  }
}
