package dev.sluice.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/** Issue 18: a JSON log line is one line of valid JSON whatever the message holds. */
class JsonLineTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode parse(String line) throws Exception {
    assertThat(line).endsWith("\n");
    String body = line.substring(0, line.length() - 1);
    assertThat(body).doesNotContain("\n", "\r").matches("[\\x20-\\x7e]*");
    return JSON.readTree(body);
  }

  @Test
  void hasTheFixedKeysThenTheFieldsThenTheStackTrace() throws Exception {
    String line =
        JsonLine.of(
            1_796_564_783_004L,
            Level.WARN,
            "sluice.connection",
            "io-1",
            "listener=api bytes_out=5120",
            List.of(
                new KeyValuePair("listener", "api"),
                new KeyValuePair("bytes_out", 5120L),
                new KeyValuePair("ok", true),
                new KeyValuePair("none", null),
                new KeyValuePair("message", "shadowed"),
                new KeyValuePair("listener", "twice")),
            new IllegalStateException("boom\n\"quoted\""));
    JsonNode n = parse(line);
    assertThat(n.path("time").asText()).isEqualTo("2026-12-06T13:46:23.004Z");
    assertThat(n.path("level").asText()).isEqualTo("WARN");
    assertThat(n.path("logger").asText()).isEqualTo("sluice.connection");
    assertThat(n.path("thread").asText()).isEqualTo("io-1");
    assertThat(n.path("message").asText()).isEqualTo("listener=api bytes_out=5120");
    assertThat(n.path("listener").asText()).isEqualTo("api");
    assertThat(n.path("bytes_out").isIntegralNumber()).isTrue();
    assertThat(n.path("bytes_out").asLong()).isEqualTo(5120);
    assertThat(n.path("ok").isBoolean()).isTrue();
    assertThat(n.path("none").isNull()).isTrue();
    assertThat(n.path("stack_trace").asText())
        .startsWith("java.lang.IllegalStateException: boom\n\"quoted\"\n\tat ");
    List<String> keys = new java.util.ArrayList<>();
    n.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly(
            "time",
            "level",
            "logger",
            "thread",
            "message",
            "listener",
            "bytes_out",
            "ok",
            "none",
            "stack_trace");
  }

  @Property(tries = 300, seed = "18")
  void anyMessageRoundTrips(
      @ForAll @StringLength(max = 40) @CharRange(from = 0, to = 0xffff) String message,
      @ForAll @StringLength(max = 10) @CharRange(from = 0, to = 0x7f) String field)
      throws Exception {
    JsonNode n =
        parse(
            JsonLine.of(
                0, Level.INFO, "l", "t", message, List.of(new KeyValuePair("f", field)), null));
    assertThat(n.path("message").asText()).isEqualTo(message);
    assertThat(n.path("f").asText()).isEqualTo(field);
  }

  @Test
  void controlCharactersQuotesAndNonAsciiAreEscaped() throws Exception {
    String nasty = "a\"b\\c\nd\re\tf\u0000g\u001b[2Jh\u007fi\u00e9j\u2028k\ud83d\ude00l\ud800";
    String line = JsonLine.of(0, Level.ERROR, "x\ny", "t\"", nasty, List.of(), null);
    JsonNode n = parse(line);
    assertThat(n.path("message").asText()).isEqualTo(nasty);
    assertThat(n.path("logger").asText()).isEqualTo("x\ny");
    assertThat(line).contains("\\u001b[2J").contains("\\u0000").contains("\\ud800");
  }
}
