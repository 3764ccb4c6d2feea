package dev.sluice.codec.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OptionsTest {
  private static final String TEXT =
      "A river is a natural stream of water. Émoji 😀, CJK 你好, and a very long word:"
          + " antidisestablishmentarianism.";

  private static FamilyStream build(Family f, SampleOptions o) {
    return f.build(TEXT, Tokenizer.o200k(), new SplittableRandom(9), o);
  }

  @Test
  void obfuscationPadsEveryChunkAndLeavesTheText() {
    SampleOptions on = SampleOptions.defaults().withObfuscation(true);
    List<JsonNode> chat =
        Bodies.documents(Family.OPENAI_CHAT, build(Family.OPENAI_CHAT, on).body());
    assertThat(chat).allSatisfy(d -> assertThat(d.get("obfuscation").isTextual()).isTrue());
    assertThat(
            String.join(
                "",
                Bodies.texts(Family.OPENAI_CHAT, chat).stream().filter(Objects::nonNull).toList()))
        .isEqualTo(TEXT);
    List<JsonNode> responses =
        Bodies.documents(Family.OPENAI_RESPONSES, build(Family.OPENAI_RESPONSES, on).body());
    for (JsonNode d : responses) {
      boolean delta = d.get("type").asText().equals("response.output_text.delta");
      assertThat(d.has("obfuscation")).isEqualTo(delta);
      if (delta) {
        int padded = d.get("delta").asText().length() + d.get("obfuscation").asText().length();
        assertThat(padded).isGreaterThanOrEqualTo(16);
      }
    }
    List<JsonNode> off =
        Bodies.documents(
            Family.OPENAI_CHAT, build(Family.OPENAI_CHAT, SampleOptions.defaults()).body());
    assertThat(off).noneMatch(d -> d.has("obfuscation"));
  }

  @Test
  void withoutUsageThereIsNoUsageMemberNorChunk() {
    SampleOptions noUsage = SampleOptions.defaults().withIncludeUsage(false);
    for (Family f : List.of(Family.OPENAI_CHAT, Family.VLLM, Family.LLAMACPP, Family.PYTHON_SSE)) {
      List<JsonNode> docs = Bodies.documents(f, build(f, noUsage).body());
      assertThat(docs).as(f.id()).noneMatch(d -> d.has("usage"));
      assertThat(docs).as(f.id()).allMatch(d -> d.get("choices").size() == 1);
    }
    List<JsonNode> tgi = Bodies.documents(Family.TGI, build(Family.TGI, noUsage).body());
    assertThat(tgi).allMatch(d -> d.get("usage").isNull());
    List<JsonNode> with =
        Bodies.documents(
            Family.OPENAI_CHAT, build(Family.OPENAI_CHAT, SampleOptions.defaults()).body());
    JsonNode last = with.get(with.size() - 1);
    assertThat(last.get("choices")).isEmpty();
    assertThat(last.at("/usage/completion_tokens").asInt())
        .isEqualTo(Tokenizer.o200k().count(TEXT));
    assertThat(last.at("/usage/completion_tokens_details/reasoning_tokens").asInt()).isZero();
  }

  @Test
  void aPythonServerWritesAsciiWithCrlf() {
    byte[] body = build(Family.PYTHON_SSE, SampleOptions.defaults()).body();
    for (int i = 0; i < body.length; i++) {
      assertThat(body[i] & 0xff).isLessThan(0x80);
      if (body[i] == '\n') {
        assertThat(body[i - 1]).isEqualTo((byte) '\r');
      }
    }
    assertThat(new String(body, StandardCharsets.US_ASCII))
        .contains("\\ud83d\\ude00")
        .contains("{\"id\": \"chatcmpl-")
        .endsWith("data: [DONE]\r\n\r\n");
  }

  @Test
  void ollamaTimestampsAreGosAndAdvanceByAJitteredInterval() {
    List<JsonNode> lines =
        Bodies.documents(
            Family.OLLAMA_CHAT, build(Family.OLLAMA_CHAT, SampleOptions.defaults()).body());
    Instant previous = null;
    for (JsonNode l : lines) {
      String t = l.get("created_at").asText();
      assertThat(t).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d*[1-9])?Z");
      Instant now = Instant.parse(t);
      if (previous != null) {
        assertThat(Duration.between(previous, now))
            .isBetween(Duration.ofMillis(15), Duration.ofMillis(40));
      }
      previous = now;
    }
    JsonNode last = lines.get(lines.size() - 1);
    assertThat(last.get("done").asBoolean()).isTrue();
    assertThat(last.get("eval_count").asInt()).isEqualTo(Tokenizer.o200k().count(TEXT));
    assertThat(last.get("total_duration").asLong())
        .isGreaterThan(last.get("eval_duration").asLong() + last.get("load_duration").asLong());
  }

  @Test
  void cl100kIsSelectable() {
    Tokenizer cl100k = Tokenizer.of(Vocabulary.CL100K_BASE);
    String text = "Antidisestablishmentarianism, naïve café — 你好世界, 1234567 tokens.";
    FamilyStream s =
        Family.OPENAI_CHAT.build(text, cl100k, new SplittableRandom(1), SampleOptions.defaults());
    assertThat(s.textPieces()).isEqualTo(cl100k.pieces(text));
    assertThat(cl100k.pieces(text)).isNotEqualTo(Tokenizer.o200k().pieces(text));
    assertThat(String.join("", s.textPieces())).isEqualTo(text);
    assertThat(Vocabulary.byId("CL100K_base")).isEqualTo(Vocabulary.CL100K_BASE);
  }
}
