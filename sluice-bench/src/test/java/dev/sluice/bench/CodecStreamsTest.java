package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.HeldOut;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecStreamsTest {

  @TempDir Path tmp;

  /** 10 models answering 60 prompts, like AlpacaEval in small. */
  private static List<HeldOut.Answer> alpaca() {
    List<HeldOut.Answer> out = new ArrayList<>();
    for (int m = 0; m < 10; m++) {
      for (int p = 0; p < 60; p++) {
        out.add(new HeldOut.Answer("model-" + m, "prompt " + p, "answer " + m + "/" + p));
      }
    }
    return out;
  }

  private static List<HeldOut.Answer> arena() {
    List<HeldOut.Answer> out = new ArrayList<>();
    for (int p = 0; p < 40; p++) {
      out.add(new HeldOut.Answer("gpt-4", "question " + p, "```\ncode " + p + "\n```"));
    }
    return out;
  }

  @Test
  void trainingHasNoHeldOutPromptOrModelAndTheStreamsAreAllHeldOut() throws IOException {
    Path out = tmp.resolve("target/codec");
    List<HeldOut.Answer> alpaca = alpaca();
    Set<String> heldModels = HeldOut.heldOutModels(alpaca, CodecStreams.HELD_OUT_MODELS);
    assertThat(heldModels).hasSize(3);

    String summary = CodecStreams.write(alpaca, arena(), out, 50);

    Set<String> trainedPrompts = new HashSet<>();
    Set<String> trainedModels = new HashSet<>();
    ObjectMapper json = new ObjectMapper();
    List<String> lines = Files.readAllLines(out.resolve("train.jsonl"));
    for (String l : lines) {
      JsonNode n = json.readTree(l);
      assertThat(n.get("answer").isTextual()).isTrue();
      trainedPrompts.add(n.get("prompt").asText());
      trainedModels.add(n.get("model").asText());
    }
    assertThat(trainedModels).doesNotContainAnyElementsOf(heldModels).contains("gpt-4");
    assertThat(trainedPrompts).noneMatch(HeldOut::heldOutPrompt);
    long heldPrompts = alpaca.stream().filter(a -> HeldOut.heldOutPrompt(a.prompt())).count();
    assertThat(heldPrompts).isPositive(); // the split is not empty for these prompts

    Path alpacaSet = out.resolve("streams/alpaca-eval");
    List<String> dirs = new ArrayList<>();
    for (Family f : Family.values()) {
      dirs.add(f.id());
    }
    dirs.add(CodecStreams.DEMO);
    assertThat(list(alpacaSet).stream().map(p -> p.getFileName().toString()))
        .containsExactlyInAnyOrderElementsOf(dirs);
    for (String d : dirs) {
      // every stream has its answer text beside it
      assertThat(list(alpacaSet.resolve(d))).as(d).hasSize(100);
    }
    int byPrompt = 0;
    int byModel = 0;
    for (Path p : list(alpacaSet.resolve("openai-chat"))) {
      if (!p.toString().endsWith(".text")) {
        continue;
      }
      String text = Files.readString(p, StandardCharsets.UTF_8);
      String name = p.getFileName().toString().replace(".text", "");
      String s = Files.readString(p.resolveSibling(name + ".sse"), StandardCharsets.UTF_8);
      assertThat(s).startsWith("data: {\"id\":\"chatcmpl-").endsWith("data: [DONE]\n\n");
      StringBuilder deltas = new StringBuilder();
      for (String line : s.split("\n")) {
        if (line.startsWith("data: {")) {
          deltas.append(json.readTree(line.substring(6)).at("/choices/0/delta/content").asText(""));
        }
      }
      assertThat(deltas.toString()).isEqualTo(text);
      assertThat(Files.readString(alpacaSet.resolve("demo/" + name + ".sse")))
          .contains("\"content\":\"answer\"");
      // the answer text "answer M/P" says which model and prompt it is
      String[] mp = text.substring("answer ".length()).split("/");
      String model = "model-" + mp[0];
      boolean heldPrompt = HeldOut.heldOutPrompt("prompt " + mp[1]);
      assertThat(heldPrompt || heldModels.contains(model)).as(p.toString()).isTrue();
      byPrompt += heldPrompt ? 1 : 0;
      byModel += heldModels.contains(model) ? 1 : 0;
    }
    assertThat(byPrompt).isPositive();
    assertThat(byModel).isPositive();
    List<Path> arenaStreams = list(out.resolve("streams/arena-hard/anthropic"));
    assertThat(arenaStreams)
        .hasSize(2 * (int) arena().stream().filter(a -> HeldOut.heldOutPrompt(a.prompt())).count());
    assertThat(summary).contains("held-out AlpacaEval models: " + heldModels);
    assertThat(out.resolve("split.txt")).hasContent(summary.strip());

    // a second run replaces the streams, it does not add to them
    byte[] first = Files.readAllBytes(list(alpacaSet.resolve("vllm")).get(0));
    CodecStreams.write(alpaca, arena(), out, 20);
    assertThat(list(alpacaSet.resolve("ollama-chat"))).hasSize(40);
    assertThat(list(alpacaSet.resolve("demo"))).hasSize(40);
    // and the same answer gives the same bytes
    assertThat(Files.readAllBytes(list(alpacaSet.resolve("vllm")).get(0))).isEqualTo(first);
  }

  @Test
  void refusesToWriteOutsideTarget() {
    assertThatThrownBy(() -> CodecStreams.write(alpaca(), arena(), tmp.resolve("codec"), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target/");
  }

  @Test
  void theReportPutsSetsSideBySide() throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode a =
        json.readTree(
            "{\"streams\":2,\"input_bytes\":1000,\"text_bytes\":20,\"wire_bytes\":900,"
                + "\"wire_bytes_link_per_stream\":960,\"segment_bytes\":880,"
                + "\"roundtrip_ok\":true,\"wire_per_text_byte\":45.0,\"encode_mb_per_s\":80.2,"
                + "\"decode_mb_per_s\":120.7,\"model\":{\"zstd_dictionary_bytes\":0},"
                + "\"methods\":{\"none\":{\"per_text_byte\":50.0},\"gzip_6\":{\"per_text_byte\":1.25},"
                + "\"zstd_3\":{\"per_text_byte\":1.1},\"zstd_19_dict\":{\"per_text_byte\":0.9}}}");
    String t = CodecReport.table(List.of("AlpacaEval", "Arena-Hard"), List.of(a, a));
    assertThat(t)
        .contains("| wire bytes per byte of answer text | AlpacaEval | Arena-Hard |")
        .contains(
            "| **sluice codec (one edge link carrying the streams, framing included)** | **45.000**"
                + " | **45.000** |")
        .contains("| sluice codec, an edge link per stream (handshake and END each) | 48.000 |")
        .contains("| sluice codec, segments only (no link framing) | 44.000 |")
        .contains("| gzip -6 | 1.250 | 1.250 |")
        .contains("| zstd -19 (the model has no dictionary) | 0.900 | 0.900 |")
        .contains("| round trip | ok | ok |")
        .contains("| encode / decode MB/s of input (one thread) | 80 / 121 | 80 / 121 |");
  }

  @Test
  void theReportHasARowPerFamily() throws IOException {
    ObjectMapper json = new ObjectMapper();
    String family =
        "{\"streams\":2,\"input_bytes\":1000,\"text_bytes\":20,\"wire_bytes\":900,"
            + "\"wire_bytes_link_per_stream\":960,\"segment_bytes\":880,\"roundtrip_ok\":true,"
            + "\"wire_per_text_byte\":%s,\"encode_mb_per_s\":80.2,\"decode_mb_per_s\":120.7,"
            + "\"model\":{\"zstd_dictionary_bytes\":100},\"methods\":{\"none\":{\"per_text_byte\":50.0},"
            + "\"gzip_6\":{\"per_text_byte\":1.25},\"zstd_3\":{\"per_text_byte\":1.1},"
            + "\"zstd_19_dict\":{\"per_text_byte\":0.9}}}";
    JsonNode a =
        json.readTree(
            "{\"roundtrip_ok\":true,\"families\":{\"anthropic\":"
                + String.format(family, "0.3")
                + ",\"openai-chat\":"
                + String.format(family, "0.25")
                + "}}");
    String t = CodecReport.report(List.of("AlpacaEval"), List.of(a));
    assertThat(t)
        .contains(
            "| wire bytes per byte of answer text | AlpacaEval: sluice codec | AlpacaEval: gzip -6"
                + " | AlpacaEval: zstd -19 + dict |")
        .contains("| anthropic | **0.300** | 1.250 | 0.900 |")
        .contains("| openai-chat | **0.250** | 1.250 | 0.900 |")
        .contains("Every method, openai-chat:")
        .contains("| zstd -19 + model dictionary | 0.900 |");
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
