package dev.sluice.codec.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FamiliesTest {

  static final List<String> TEXTS =
      List.of(
          "Hello! Here is a short answer. It has two sentences.",
          "Quotes \"like this\", a back\\slash, tabs\tand\nnew lines\r\n\n- a list\n- <b>tags</b> &"
              + " amp; control \u0001\u001f and DEL \u007f.",
          "Émoji 😀👍🏽 and CJK 你好，世界。日本語のテキスト。 Ünïcödé ß ﬁ \u2028 \u2029 end",
          "```java\nclass A { String s = \"x\\n\"; }\n```\nDone",
          "");

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Family f : Family.values()) {
      for (int i = 0; i < TEXTS.size(); i++) {
        out.add(Arguments.of(f, i));
      }
    }
    return out.stream();
  }

  private static FamilyStream build(Family f, String text, long seed) {
    return f.build(text, Tokenizer.o200k(), new SplittableRandom(seed), SampleOptions.defaults());
  }

  @ParameterizedTest(name = "{0} text {1}")
  @MethodSource("cases")
  void everyPayloadIsJsonAndTheTextComesBackExactly(Family f, int which) throws Exception {
    String text = TEXTS.get(which);
    FamilyStream s = build(f, text, 7);
    byte[] body = s.body();
    List<JsonNode> docs = Bodies.documents(f, body);
    String carried =
        String.join("", Bodies.texts(f, docs).stream().filter(Objects::nonNull).toList());
    if (f == Family.OPENAI_TOOLS) {
      JsonNode args = Bodies.JSON.readTree(carried);
      assertThat(args.get("query").asText() + args.get("notes").asText()).isEqualTo(text);
      assertThat(carried).isEqualTo(OpenAiTools.arguments(text));
    } else {
      assertThat(carried).isEqualTo(text);
    }
    assertThat(String.join("", s.textPieces()))
        .isEqualTo(f == Family.OPENAI_TOOLS ? OpenAiTools.arguments(text) : text);
    for (byte[] w : s.writes()) {
      strictUtf8(w);
    }
  }

  @ParameterizedTest(name = "{0} text {1}")
  @MethodSource("cases")
  void theSameSeedGivesTheSameBytesAndAnotherSeedOthers(Family f, int which) {
    String text = TEXTS.get(which);
    assertThat(Arrays.equals(build(f, text, 11).body(), build(f, text, 11).body())).isTrue();
    if (f != Family.TGI) {
      // TGI's chunks have no random member: only the second of each token, which a short answer
      // may not change.
      assertThat(Arrays.equals(build(f, text, 11).body(), build(f, text, 12).body())).isFalse();
    }
  }

  @ParameterizedTest(name = "{0} text {1}")
  @MethodSource("cases")
  void streamedEventsAreTheTokenizersCuts(Family f, int which) {
    String text = TEXTS.get(which);
    if (!f.streaming()) {
      return;
    }
    String cutText = f == Family.OPENAI_TOOLS ? OpenAiTools.arguments(text) : text;
    List<String> tokens = Tokenizer.o200k().pieces(cutText);
    List<String> pieces = build(f, text, 3).textPieces();
    if (f == Family.ANTHROPIC) {
      // Several whole tokens per event: every event boundary is a token boundary.
      int t = 0;
      for (String p : pieces) {
        StringBuilder b = new StringBuilder();
        while (b.length() < p.length()) {
          b.append(tokens.get(t++));
        }
        assertThat(b.toString()).isEqualTo(p);
      }
      assertThat(t).isEqualTo(tokens.size());
    } else {
      assertThat(pieces).isEqualTo(tokens);
    }
  }

  private static void strictUtf8(byte[] bytes) throws CharacterCodingException {
    StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes));
  }
}
