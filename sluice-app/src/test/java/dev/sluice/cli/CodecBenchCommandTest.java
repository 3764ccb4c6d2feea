package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.SampleOptions;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.demo.DemoTranscripts;
import dev.sluice.gateway.edge.EdgeLink;
import dev.sluice.gateway.edge.MuxAccept;
import dev.sluice.gateway.edge.MuxFrameEncoder;
import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CodecBenchCommandTest {

  @TempDir Path dir;
  Path streams;
  long inputBytes;
  long textBytes;

  private static final String ANSWER_1 =
      "Rivers carry water, silt and history to the sea.\n\n- é ü";
  private static final String ANSWER_2 = "Short. 😀";
  private static final String ANSWER_3 = "A JSON completion, not streamed: \"quoted\"";

  @BeforeEach
  void streams() throws IOException {
    streams = Files.createDirectory(dir.resolve("streams"));
    DemoTranscripts demo = new DemoTranscripts(3, ManualClock.at("2026-11-23T04:00:00Z"));
    put("a-sse.txt", demo.stream("gpt-x", "tell me about rivers", ANSWER_1, false));
    put("b-sse-usage.txt", demo.stream("gpt-x", "short", ANSWER_2, true));
    put("c-body.json", demo.completion("gpt-x", "json please", ANSWER_3));
    byte[] crlf =
        ("data: {\"choices\":[{\"delta\":{\"content\":\"two\\nlines\"}}]}\r\n\r\n"
                + ": a comment\r\n\r\ndata: [DONE]\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8);
    put("d-crlf.txt", crlf);
    put("e-empty", new byte[0]);
    put("f-one-byte", new byte[] {'x'});
    byte[] binary = new byte[600 << 10]; // more than one segment
    new Random(7).nextBytes(binary);
    put("g-binary.bin", binary);
    Files.createDirectory(streams.resolve("z-subdir-is-not-a-stream"));
    textBytes =
        (ANSWER_1 + ANSWER_2 + ANSWER_3 + "two\nlines").getBytes(StandardCharsets.UTF_8).length;
  }

  private void put(String name, byte[] bytes) throws IOException {
    Files.write(streams.resolve(name), bytes);
    inputBytes += bytes.length;
  }

  @Test
  void jsonTotalsEveryStreamAndTheReferenceMethods() throws IOException {
    CliRun r = CliRun.of("codec", "bench", "--streams", streams.toString(), "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("streams").asLong()).isEqualTo(7);
    assertThat(j.get("input_bytes").asLong()).isEqualTo(inputBytes);
    assertThat(j.get("text_bytes").asLong()).isEqualTo(textBytes);
    assertThat(j.get("roundtrip_ok").asBoolean()).isTrue();
    assertThat(j.get("failures")).isEmpty();
    // magic and ACCEPT 27 bytes; per codec frame a FRAME header (1..3 bytes, one more than the
    // frame's length prefix in its segment at most) and a CRC (4); per stream an END (7..9):
    // on one link for all streams, magic and ACCEPT once; on a link per stream, once per stream
    long segments = j.get("segments").asLong();
    assertThat(segments).isGreaterThanOrEqualTo(7); // six non-empty streams, the binary one in two
    long segmentBytes = j.get("segment_bytes").asLong();
    long frames = j.get("frames").asLong();
    assertThat(frames).isGreaterThanOrEqualTo(segments);
    assertThat(j.get("wire_bytes").asLong() - segmentBytes)
        .isBetween(27 + 4 * frames + 7 * 7, 27 + 5 * frames + 9 * 7);
    assertThat(j.get("wire_bytes_link_per_stream").asLong() - segmentBytes)
        .isBetween(7 * (27 + 7) + 4 * frames, 7 * (27 + 9) + 5 * frames);
    assertThat(j.get("wire_bytes_note").asText())
        .contains("wire_bytes: one edge link", "wire_bytes_link_per_stream: each stream");
    assertThat(j.get("wire_per_text_byte_link_per_stream").asDouble())
        .isCloseTo((double) j.get("wire_bytes_link_per_stream").asLong() / textBytes, within());
    assertThat(j.get("wire_per_text_byte").asDouble())
        .isCloseTo((double) j.get("wire_bytes").asLong() / textBytes, within());
    assertThat(j.get("encode_mb_per_s").isNumber()).isTrue();
    assertThat(j.get("decode_mb_per_s").isNumber()).isTrue();
    for (String m : new String[] {"none", "gzip_6", "zstd_3", "zstd_19_dict"}) {
      assertThat(j.at("/methods/" + m + "/wire_bytes").asLong()).as(m).isPositive();
      assertThat(j.at("/methods/" + m + "/per_text_byte").isNumber()).as(m).isTrue();
    }
    assertThat(j.at("/methods/none/wire_bytes").asLong()).isEqualTo(inputBytes);
    // the built-in model has a dictionary, and zstd -19 uses it
    assertThat(j.at("/methods/zstd_19_dict/dictionary_bytes").asInt())
        .isEqualTo(CodecModel.builtIn().zstdDictionary().length)
        .isPositive();
    assertThat(j.at("/methods/zstd_19_dict/note").isMissingNode()).isTrue();
    assertThat(j.at("/model/source").asText()).isEqualTo("built-in");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(0.001);
  }

  @Test
  void familyDirectoriesAreEachARowWithSidecarTextBytes() throws IOException {
    Path families = Files.createDirectory(dir.resolve("families"));
    long sidecarBytes = 0;
    for (Family f : new Family[] {Family.OPENAI_CHAT, Family.ANTHROPIC, Family.OLLAMA_CHAT}) {
      Path d = Files.createDirectory(families.resolve(f.id()));
      int i = 0;
      for (String text : new String[] {ANSWER_1, ANSWER_2}) {
        FamilyStream s =
            f.build(text, Tokenizer.o200k(), new SplittableRandom(i), SampleOptions.defaults());
        Files.write(d.resolve(i + f.extension()), s.body());
        Files.writeString(d.resolve(i + ".text"), text);
        i++;
      }
      sidecarBytes = (ANSWER_1 + ANSWER_2).getBytes(StandardCharsets.UTF_8).length;
    }
    // A family without sidecars counts the text in the stream.
    Path plain = Files.createDirectory(families.resolve("demo"));
    Files.write(
        plain.resolve("0.sse"),
        new DemoTranscripts(3, ManualClock.at("2026-11-23T04:00:00Z"))
            .stream("gpt-x", "p", ANSWER_1, false));

    CliRun r = CliRun.of("codec", "bench", "--streams", families.toString(), "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("roundtrip_ok").asBoolean()).isTrue();
    assertThat(j.get("families").fieldNames())
        .toIterable()
        .containsExactly("anthropic", "demo", "ollama-chat", "openai-chat");
    for (String f : new String[] {"anthropic", "ollama-chat", "openai-chat"}) {
      JsonNode t = j.at("/families/" + f);
      assertThat(t.get("streams").asLong()).isEqualTo(2);
      assertThat(t.get("text_bytes").asLong()).isEqualTo(sidecarBytes);
      assertThat(t.at("/methods/gzip_6/per_text_byte").asDouble()).isPositive();
    }
    assertThat(j.at("/families/demo/text_bytes").asLong())
        .isEqualTo(ANSWER_1.getBytes(StandardCharsets.UTF_8).length);

    CliRun table = CliRun.of("codec", "bench", "--streams", families.toString());
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out())
        .contains("4 families in " + families)
        .contains("round trip: OK")
        .containsPattern("(?m)^anthropic +2 +")
        .containsPattern("(?m)^openai-chat +2 +");
  }

  @Test
  void humanOutputIsATableWithTheVerdict() {
    CliRun r = CliRun.of("codec", "bench", "--streams", streams.toString());

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("streams:    7 files in " + streams)
        .contains("round trip: OK")
        .contains("method", "wire bytes", "per input byte", "per text byte")
        .contains(
            "sluice codec, one edge link for all streams",
            "sluice codec, an edge link per stream",
            "gzip -6",
            "zstd -3")
        .containsPattern("zstd -19 \\+ .* dictionary")
        .contains("none (the streams as they are)");
  }

  @Test
  void linkBytesAreTheFramesTheRealEncoderWrites() {
    CodecBench bench =
        new CodecBench(
            CodecModel.builtIn(), ManualClock.at("2026-11-23T04:00:00Z"), UnaryOperator.identity());
    try {
      CodecBench.StreamResult a = bench.run("a", "x".getBytes(StandardCharsets.UTF_8));
      CodecBench.StreamResult b = bench.run("b", new byte[300]);
      assertThat(a.segments()).isEqualTo(1);
      assertThat(b.segments()).isEqualTo(1);
      assertThat(a.segmentBytes()).isLessThan(128);
      assertThat(b.segmentBytes()).isLessThan(128);
      // one frame each, preceded in its segment by its length (one byte)
      long frameA = a.segmentBytes() - 1;
      long frameB = b.segmentBytes() - 1;
      // a link of its own: magic and ACCEPT, a FRAME (header, payload, CRC), END (id, count)
      int handshake = MuxFrameEncoder.handshakeSize(MuxAccept.of(1, new byte[32], true, 1, 1));
      assertThat(handshake).isEqualTo(4 + 1 + 1 + 13 + 4);
      long acceptVarints = 3 + 3 - 2; // the window 256 KiB and the ping 30 s: three bytes each
      long h = handshake + acceptVarints;
      assertThat(a.wireBytes())
          .isEqualTo(h + (EdgeLink.varintSize(frameA << 4 | 15) + frameA + 4) + (1 + 1 + 1 + 4));
      assertThat(b.wireBytes())
          .isEqualTo(h + (EdgeLink.varintSize(frameB << 4 | 15) + frameB + 4) + (1 + 1 + 2 + 4));
      assertThat(a.frames()).isEqualTo(1);
      // one link for both: magic and ACCEPT once, each stream's FRAME and END
      assertThat(bench.oneLinkBytes()).isEqualTo(a.wireBytes() + b.wireBytes() - h);
    } finally {
      bench.close();
    }
  }

  @Test
  void aStreamThatComesBackDifferentIsNamedWithItsOffsetAndExitsOne() throws IOException {
    // what the link does to each segment: change its first byte, the low bits of the input length
    // (without the link's CRC, a flipped bit deep in the arithmetic code may decode unnoticed)
    UnaryOperator<byte[]> flip =
        seg -> {
          byte[] b = seg.clone();
          b[0] ^= 1;
          return b;
        };
    CliRun r = CliRun.of(setLink(flip), "codec", "bench", "--streams", streams.toString());

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out()).contains("round trip: FAILED for 6 of 7 streams");
    assertThat(r.out()).contains("f-one-byte: segment 0 (after 0 decoded bytes) rejected");

    CliRun cut =
        CliRun.of(
            setLink(seg -> Arrays.copyOf(seg, seg.length - 1)),
            "codec",
            "bench",
            "--streams",
            streams.toString(),
            "--json");
    assertThat(cut.exitCode()).isEqualTo(1);
    JsonNode j = new ObjectMapper().readTree(cut.out());
    assertThat(j.get("roundtrip_ok").asBoolean()).isFalse();
    assertThat(j.get("failures")).hasSize(6);
    assertThat(j.at("/failures/0/stream").asText()).isEqualTo("a-sse.txt");
    assertThat(j.at("/failures/0/problem").asText())
        .startsWith("segment 0 (after 0 decoded bytes) rejected: codec segment, byte ");
  }

  private static java.util.function.Consumer<CommandLine> setLink(UnaryOperator<byte[]> link) {
    return cl -> {
      CodecBenchCommand bench =
          cl.getSubcommands().get("codec").getSubcommands().get("bench").getCommand();
      bench.link = link;
    };
  }

  @Test
  void exitCodesForUsageAndIo() throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    CliRun noFiles = CliRun.of("codec", "bench", "--streams", empty.toString());
    assertThat(noFiles.exitCode()).isEqualTo(2);
    assertThat(noFiles.err()).contains("no files in " + empty);

    CliRun aFile =
        CliRun.of("codec", "bench", "--streams", streams.resolve("f-one-byte").toString());
    assertThat(aFile.exitCode()).isEqualTo(2);

    CliRun missing = CliRun.of("codec", "bench", "--streams", dir.resolve("nope").toString());
    assertThat(missing.exitCode()).isEqualTo(3);
    assertThat(missing.err()).contains("no directory at");

    CliRun noModel =
        CliRun.of(
            "codec",
            "bench",
            "--streams",
            streams.toString(),
            "--model",
            dir.resolve("none.slcm").toString());
    assertThat(noModel.exitCode()).isEqualTo(3);
    assertThat(noModel.err()).contains("no model file at");

    assertThat(CliRun.of("codec", "bench").exitCode()).isEqualTo(2);
    assertThat(CliRun.of("codec", "bench", "--streams", "x", "--bogus").exitCode()).isEqualTo(2);
  }

  @Test
  void aTrainedModelIsUsedAndNamed() throws IOException {
    Path corpus = Files.writeString(dir.resolve("c.txt"), ANSWER_1 + ANSWER_2);
    Path model = dir.resolve("m.slcm");
    assertThat(
            CliRun.of("codec", "train", "--corpus", corpus.toString(), "--out", model.toString())
                .exitCode())
        .isZero();

    CliRun r =
        CliRun.of(
            "codec",
            "bench",
            "--streams",
            streams.toString(),
            "--model",
            model.toString(),
            "--json");

    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.at("/model/source").asText()).isEqualTo(model.toString());
    assertThat(j.at("/model/id").asText())
        .isEqualTo(dev.sluice.codec.CodecModel.read(model).idHex());
  }

  @Test
  void answerTextCountsDeltasAndMessagesOnly() {
    assertThat(AnswerText.bytes(new byte[0])).isZero();
    assertThat(AnswerText.bytes(new byte[] {(byte) 0xff, 0, '{'})).isZero();
    assertThat(AnswerText.bytes("data: not json\n\n".getBytes(StandardCharsets.UTF_8))).isZero();
    assertThat(
            AnswerText.bytes(
                ("data:{\"choices\":[{\"delta\":{\"content\":\"ab\"}},{\"delta\":{\"content\":\"é\"}}]}\n\n"
                        + "event: x\ndata: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
                        + "data: {\"choices\":\ndata: [{\"delta\":{\"content\":\"joined\"}}]}\n\n"
                        + "data: [DONE]\n\n")
                    .getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(2 + 2 + 6);
    assertThat(
            AnswerText.bytes(
                " {\"choices\":[{\"message\":{\"content\":\"hello\"}}]}"
                    .getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(5);
  }
}
