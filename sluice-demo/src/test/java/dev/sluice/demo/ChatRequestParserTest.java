package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ChatRequestParserTest {

  @Test
  void readsTheFieldsTheServerActsOn() {
    ChatRequest r =
        Requests.parse(
            "{\"model\":\"gpt-x\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"max_tokens\":9,\"max_completion_tokens\":7,\"temperature\":0.2,"
                + "\"sluice_answer_index\":42,\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi \"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}},"
                + "{\"type\":\"text\",\"text\":\"there\"}]},"
                + "{\"role\":\"assistant\",\"content\":null}]}");
    assertThat(r.model()).isEqualTo("gpt-x");
    assertThat(r.stream()).isTrue();
    assertThat(r.includeUsage()).isTrue();
    assertThat(r.maxTokens()).isEqualTo(OptionalInt.of(7));
    assertThat(r.messages())
        .containsExactly(
            new ChatMessage("system", "Be brief."),
            new ChatMessage("user", "Hi there"),
            new ChatMessage("assistant", ""));
    assertThat(r.lastUserMessage()).isEqualTo("Hi there");
    assertThat(r.extension("sluice_answer_index"))
        .hasValueSatisfying(v -> assertThat(v.asInt()).isEqualTo(42));
    assertThat(r.extension("absent")).isEmpty();
    // o200k: "Be", " brief", "." and "Hi", " there".
    assertThat(r.promptTokens()).isEqualTo(5);
  }

  @Test
  void defaultsWhenOptionalFieldsAreMissingOrNull() {
    ChatRequest r = Requests.user("Hi", ",\"stream\":null,\"stream_options\":null,\"n\":1");
    assertThat(r.stream()).isFalse();
    assertThat(r.includeUsage()).isFalse();
    assertThat(r.maxTokens()).isEmpty();
  }

  @Test
  void bodyIsACopy() {
    ChatRequest r = Requests.user("Hi", "");
    r.body().put("model", "changed");
    assertThat(r.body().get("model").asText()).isEqualTo("m");
  }

  @Test
  void refusesWhatOpenAiRefuses() {
    assertRefused("not json", null, "could not parse the JSON body");
    assertRefused("[1,2]", null, "could not parse the JSON body");
    assertRefused("{\"model\":\"m\",\"messages\":[]} trailing", null, "could not parse");
    assertRefused("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model", "model");
    assertRefused("{\"model\":\"m\"}", "messages", "Missing required parameter: 'messages'");
    assertRefused("{\"model\":\"m\",\"messages\":[]}", "messages", "non-empty array");
    assertRefused("{\"model\":\"m\",\"messages\":[1]}", "messages[0]", "must be an object");
    assertRefused(
        "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", "messages[0].role", "string");
    assertRefused(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
        "messages[0].content",
        "string or an array");
    String ok = "\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    assertRefused("{" + ok + ",\"stream\":\"yes\"}", "stream", "boolean");
    assertRefused("{" + ok + ",\"stream_options\":3}", "stream_options", "object");
    assertRefused("{" + ok + ",\"max_tokens\":0}", "max_tokens", "positive integer");
    assertRefused("{" + ok + ",\"max_tokens\":1.5}", "max_tokens", "positive integer");
    assertRefused("{" + ok + ",\"n\":2}", "n", "n must be 1");
  }

  private static void assertRefused(String json, String param, String message) {
    assertThatThrownBy(() -> Requests.parse(json))
        .as(json)
        .isInstanceOfSatisfying(
            InvalidRequestException.class, e -> assertThat(e.param()).isEqualTo(param))
        .hasMessageContaining(message);
  }
}
