package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictTrainer;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures wire bytes per byte of answer text for held-out corpus answers framed as SSE the way the
 * demo upstream frames them, each stream compressed on its own: the SSE as is, gzip, zstd with and
 * without a dictionary trained on the training answers, and the structured method (envelope deltas
 * + chunk boundaries + text). Train and test are split by instruction or prompt. Writes {@code
 * target/codec-measurement.md}; everything trained here stays in memory (the AlpacaEval corpus is
 * non-commercial). Run: {@code ./mvnw -pl sluice-codec test -Dtest=CodecMeasurementTest
 * -Dsluice.measure=true}.
 */
@Tag("measurement")
@EnabledIfSystemProperty(named = "sluice.measure", matches = "true")
class CodecMeasurementTest {
  private static final int DICT_BYTES = 110 * 1024;
  private static final int TRAIN_SAMPLE_BYTES = 12 << 20;
  private static final int TEST_STREAMS = 1000;
  private static final int PRIMING_STREAMS = 20;

  @Test
  void measure() throws Exception {
    assumeThat(Corpus.present()).as("shared corpus at %s", Corpus.dir()).isTrue();
    StringBuilder report = new StringBuilder();
    report.append("# Codec measurement\n\n");
    for (String file : List.of(Corpus.ALPACA, Corpus.ARENA_HARD)) {
      report.append(run(file));
    }
    Path out = Path.of("target", "codec-measurement.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  private static boolean heldOut(Corpus.Answer a) {
    return Math.floorMod(DemoFraming.mix(a.prompt().hashCode()), 10) == 0;
  }

  private String run(String file) throws IOException {
    long t0 = System.nanoTime();
    List<Corpus.Answer> all = Corpus.read(file);
    List<Corpus.Answer> train = new ArrayList<>();
    List<Corpus.Answer> test = new ArrayList<>();
    for (Corpus.Answer a : all) {
      if (a.text().isEmpty()) {
        continue;
      }
      (heldOut(a) ? test : train).add(a);
    }
    Collections.shuffle(train, new Random(1));
    Collections.shuffle(test, new Random(2));
    long testPrompts = test.stream().map(Corpus.Answer::prompt).distinct().count();
    long trainPrompts = train.stream().map(Corpus.Answer::prompt).distinct().count();
    List<Corpus.Answer> held = test.subList(0, Math.min(TEST_STREAMS, test.size()));

    // Dictionaries: one on training answers' text, one on training answers framed as SSE.
    ZstdDictTrainer textTrainer = new ZstdDictTrainer(TRAIN_SAMPLE_BYTES, DICT_BYTES);
    long trainTextBytes = 0;
    for (Corpus.Answer a : train) {
      byte[] t = a.text().getBytes(StandardCharsets.UTF_8);
      if (!textTrainer.addSample(t)) {
        break;
      }
      trainTextBytes += t.length;
    }
    byte[] textDict = textTrainer.trainSamples();
    ZstdDictTrainer sseTrainer = new ZstdDictTrainer(TRAIN_SAMPLE_BYTES, DICT_BYTES);
    int n = 0;
    for (Corpus.Answer a : train) {
      if (!sseTrainer.addSample(DemoFraming.stream(meta(1_000_000 + n++, a), a.text(), false))) {
        break;
      }
    }
    byte[] sseDict = sseTrainer.trainSamples();
    try (ZstdDictCompress text19 = new ZstdDictCompress(textDict, 19);
        ZstdDictCompress sse19 = new ZstdDictCompress(sseDict, 19)) {
      // Priming for the structured model: a few training streams' events.
      List<List<byte[]>> priming = new ArrayList<>();
      for (int i = 0; i < PRIMING_STREAMS; i++) {
        Corpus.Answer a = train.get(i);
        priming.add(DemoFraming.events(meta(2_000_000 + i, a), a.text(), false));
      }

      Map<String, Long> wire = new LinkedHashMap<>();
      String[] methods = {
        "(a) SSE as is",
        "(b) gzip -6",
        "(c) zstd -3",
        "(c) zstd -19",
        "(c) zstd -19 + text dict",
        "(c) zstd -19 + SSE dict",
        "(c) zstd -19 + text dict, streaming, flush per event",
        "(d) structured: total",
        "(d1) envelope deltas",
        "(d2) chunk boundaries",
        "(d3) text: zstd -19 + text dict",
        "(d2') chunk boundaries if the next character were known",
        "bare text: gzip -6",
        "bare text: zstd -19",
        "(e) text: order-6 context-mixing estimate, primed",
        "(e0) text: the same model, not primed",
        "(e) structured with that text model: d1 + d2 + e",
        "(e) same, boundaries coded jointly with the text (d2' for d2)",
      };
      ContextMixingEstimate cm = new ContextMixingEstimate();
      ContextMixingEstimate unprimed = new ContextMixingEstimate();
      long primed = 0;
      for (Corpus.Answer a : train) {
        byte[] t = a.text().getBytes(StandardCharsets.UTF_8);
        cm.prime(t);
        primed += t.length;
        if (primed >= TRAIN_SAMPLE_BYTES) {
          break;
        }
      }
      for (String m : methods) {
        wire.put(m, 0L);
      }
      long textBytes = 0;
      long events = 0;
      int s = 0;
      for (Corpus.Answer a : held) {
        byte[] text = a.text().getBytes(StandardCharsets.UTF_8);
        List<byte[]> ev = DemoFraming.events(meta(s++, a), a.text(), false);
        byte[] sse = concat(ev);
        textBytes += text.length;
        events += ev.size();
        add(wire, "(a) SSE as is", sse.length);
        add(wire, "(b) gzip -6", gzip(sse).length);
        add(wire, "(c) zstd -3", Zstd.compress(sse, 3).length);
        add(wire, "(c) zstd -19", Zstd.compress(sse, 19).length);
        add(wire, "(c) zstd -19 + text dict", Zstd.compress(sse, text19).length);
        add(wire, "(c) zstd -19 + SSE dict", Zstd.compress(sse, sse19).length);
        add(
            wire,
            "(c) zstd -19 + text dict, streaming, flush per event",
            zstdFlushed(ev, textDict));

        StructuredModel model = new StructuredModel();
        for (List<byte[]> p : priming) {
          StructuredModel.Parts discard = new StructuredModel.Parts();
          model.newStream();
          p.forEach(e -> model.event(discard, e));
        }
        StructuredModel.Parts parts = new StructuredModel.Parts();
        model.newStream();
        // The events as the splitter hands them over, to exercise it on the way.
        List<byte[]> split = new ArrayList<>();
        SseEvents splitter =
            new SseEvents(
                (k, b, off, len) -> split.add(java.util.Arrays.copyOfRange(b, off, off + len)));
        splitter.feed(sse);
        splitter.finish();
        assertThat(concat(split)).isEqualTo(sse);
        split.forEach(e -> model.event(parts, e));
        assertThat(parts.text.toByteArray()).isEqualTo(text);
        int env = parts.envelope.finish();
        int bounds = parts.boundaries.finish();
        int ahead = parts.lookahead.finish();
        add(wire, "(d2') chunk boundaries if the next character were known", ahead);
        int txt = Zstd.compress(text, text19).length;
        add(wire, "(d) structured: total", env + bounds + txt);
        add(wire, "(d1) envelope deltas", env);
        add(wire, "(d2) chunk boundaries", bounds);
        add(wire, "(d3) text: zstd -19 + text dict", txt);
        add(wire, "bare text: gzip -6", gzip(text).length);
        add(wire, "bare text: zstd -19", Zstd.compress(text, 19).length);
        // Ideal code length, plus the two bytes the arithmetic coder's flush adds.
        long cmBytes = (long) Math.ceil(cm.cost(text) / 8) + 2;
        add(wire, "(e) text: order-6 context-mixing estimate, primed", cmBytes);
        add(
            wire,
            "(e0) text: the same model, not primed",
            (long) Math.ceil(unprimed.cost(text) / 8) + 2);
        add(wire, "(e) structured with that text model: d1 + d2 + e", env + bounds + cmBytes);
        add(
            wire,
            "(e) same, boundaries coded jointly with the text (d2' for d2)",
            env + ahead + cmBytes);
      }

      StringBuilder r = new StringBuilder();
      r.append("## ").append(file).append("\n\n");
      r.append(
          String.format(
              Locale.ROOT,
              "Split by %s: %d training answers (%d prompts), %d held-out answers (%d prompts);"
                  + " measured on %d held-out streams, %,d bytes of answer text, %,d SSE events"
                  + " (%.1f text bytes per event). Dictionaries: %,d bytes trained on %,d bytes of"
                  + " training text; %,d bytes trained on 12 MiB of training SSE streams. Structured"
                  + " model primed on %d training streams; context-mixing estimate primed on %,d bytes of"
                  + " training text. %.0f s.%n%n",
              file.equals(Corpus.ALPACA) ? "instruction" : "prompt",
              train.size(),
              trainPrompts,
              test.size(),
              testPrompts,
              held.size(),
              textBytes,
              events,
              (double) textBytes / events,
              textDict.length,
              trainTextBytes,
              sseDict.length,
              PRIMING_STREAMS,
              primed,
              (System.nanoTime() - t0) / 1e9));
      r.append("| method | wire bytes | wire bytes per text byte |\n|---|---:|---:|\n");
      for (Map.Entry<String, Long> e : wire.entrySet()) {
        r.append(
            String.format(
                Locale.ROOT,
                "| %s | %,d | %.4f |%n",
                e.getKey(),
                e.getValue(),
                (double) e.getValue() / textBytes));
      }
      r.append('\n');
      return r.toString();
    }
  }

  private static DemoFraming.Meta meta(long n, Corpus.Answer a) {
    return DemoFraming.Meta.of(42, n, a.model());
  }

  private static void add(Map<String, Long> m, String k, long v) {
    m.merge(k, v, Long::sum);
  }

  private static byte[] concat(List<byte[]> parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    parts.forEach(b::writeBytes);
    return b.toByteArray();
  }

  private static byte[] gzip(byte[] in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g =
        new GZIPOutputStream(b) {
          {
            def.setLevel(6);
          }
        }) {
      g.write(in);
    }
    return b.toByteArray();
  }

  /** zstd -19 with the dictionary as one stream, flushed after every event (as a link must). */
  private static int zstdFlushed(List<byte[]> events, byte[] dict) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZstdOutputStream z = new ZstdOutputStream(b, 19)) {
      z.setDict(dict);
      for (byte[] e : events) {
        z.write(e);
        z.flush();
      }
    }
    return b.size();
  }
}
