package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.Pacer;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream as {@code curl -sN} sees it: events arrive one at a time, each before the next is
 * produced, and the bytes are exactly OpenAI's SSE framing around the corpus answer.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CurlStreamingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STEP = Duration.ofSeconds(10);

  @TempDir Path dir;
  private ReplayUpstream upstream;
  private Process curl;

  @BeforeAll
  static void needsCurl() throws InterruptedException {
    assumeTrue(
        curlRuns(), "curl is not installed (.ci/run installs it): skipping the curl stream tests");
  }

  static boolean curlRuns() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (curl != null) {
      curl.destroyForcibly();
      curl.waitFor(10, TimeUnit.SECONDS);
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** A held-out answer of a few kB with newlines and non-ASCII text. */
  static Answer answer() {
    return CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).stream()
        .filter(a -> a.text().length() > 1000 && a.text().length() < 4000)
        .filter(a -> a.text().contains("\n") && a.text().chars().anyMatch(c -> c > 127))
        .findFirst()
        .orElseThrow();
  }

  private Process curl(String prompt) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("model", "gpt-4o").put("stream", true);
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    Path file = dir.resolve("body.json");
    Files.write(file, JSON.writeValueAsBytes(body));
    return new ProcessBuilder(
            "curl",
            "-sN",
            "--max-time",
            "50",
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            "@" + file,
            upstream.baseUrl() + "/chat/completions")
        .redirectError(dir.resolve("curl.err").toFile())
        .start();
  }

  @Test
  void eachEventArrivesBeforeTheNextIsProduced() throws Exception {
    Answer answer = answer();
    LockstepPacer pacer = new LockstepPacer();
    upstream = ReplayUpstream.start(List.of(answer), DemoOptions.defaults().withPacer(pacer));
    curl = curl(answer.prompt());
    InputStream out = new BufferedInputStream(curl.getInputStream());

    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    List<String> events = new ArrayList<>();
    for (; ; ) {
      byte[] event = readEvent(out);
      assertThat(event).as("stream ended after %d events", events.size()).isNotNull();
      // Event k arrived while event k+1 was still held: only k events after the first released.
      assertThat(pacer.released()).isEqualTo(events.size());
      raw.writeBytes(event);
      events.add(new String(event, StandardCharsets.UTF_8));
      if (events.get(events.size() - 1).equals("data: [DONE]\n\n")) {
        break;
      }
      assertThat(pacer.releaseNext(STEP)).as("the stream asked for the next event").isTrue();
    }
    assertThat(out.read()).isEqualTo(-1);
    assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(curl.exitValue()).as(Files.readString(dir.resolve("curl.err"))).isZero();
    assertThat(pacer.waiting()).isFalse();
    assertIsOpenAiStream(raw.toByteArray(), answer.text());
  }

  @Test
  void aPacedStreamIsTheSameBytes() throws Exception {
    Answer answer = answer();
    upstream =
        ReplayUpstream.start(
            List.of(answer),
            DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(1))));
    curl = curl(answer.prompt());
    byte[] raw = curl.getInputStream().readAllBytes();
    assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(curl.exitValue()).isZero();
    assertIsOpenAiStream(raw, answer.text());
  }

  /** Reads one SSE event through its blank line; null at the end of the stream. */
  static byte[] readEvent(InputStream in) throws IOException {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int prev = -1;
    for (int c = in.read(); c >= 0; c = in.read()) {
      e.write(c);
      if (c == '\n' && prev == '\n') {
        return e.toByteArray();
      }
      prev = c;
    }
    assertThat(e.size()).as("bytes after the last event").isZero();
    return null;
  }

  /**
   * Checks every byte: the body is a sequence of {@code data: JSON\n\n} events, a role chunk, one
   * content chunk per piece, a stop chunk and {@code [DONE]}, all of one completion, and the
   * content is the answer's UTF-8, byte for byte.
   */
  static void assertIsOpenAiStream(byte[] raw, String answer) throws IOException {
    String body = new String(raw, StandardCharsets.UTF_8);
    assertThat(body.getBytes(StandardCharsets.UTF_8)).isEqualTo(raw);
    List<String> data = new ArrayList<>();
    int i = 0;
    while (i < body.length()) {
      assertThat(body.startsWith("data: ", i))
          .as("event at byte %d starts with 'data: '", i)
          .isTrue();
      int end = body.indexOf("\n\n", i);
      assertThat(end).as("event at byte %d ends with a blank line", i).isPositive();
      String d = body.substring(i + 6, end);
      assertThat(d).doesNotContain("\n", "\r");
      data.add(d);
      i = end + 2;
    }
    assertThat(data).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = new ArrayList<>();
    for (String d : data.subList(0, data.size() - 1)) {
      JsonNode c = JSON.readTree(d);
      assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(c.get("choices")).hasSize(1);
      assertThat(c.get("choices").get(0).get("index").asInt()).isZero();
      assertThat(c.get("choices").get(0).get("logprobs").isNull()).isTrue();
      chunks.add(c);
    }
    String id = chunks.get(0).get("id").asText();
    assertThat(chunks).allSatisfy(c -> assertThat(c.get("id").asText()).isEqualTo(id));
    JsonNode first = chunks.get(0).get("choices").get(0);
    assertThat(first.get("delta").get("role").asText()).isEqualTo("assistant");
    JsonNode last = chunks.get(chunks.size() - 1).get("choices").get(0);
    assertThat(last.get("delta").size()).isZero();
    assertThat(last.get("finish_reason").asText()).isEqualTo("stop");
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    for (JsonNode c : chunks.subList(1, chunks.size() - 1)) {
      JsonNode choice = c.get("choices").get(0);
      assertThat(choice.get("finish_reason").isNull()).isTrue();
      String piece = choice.get("delta").get("content").asText();
      assertThat(piece).isNotEmpty();
      text.writeBytes(piece.getBytes(StandardCharsets.UTF_8));
      // Re-encoding the chunk gives the bytes on the wire: no stray whitespace or fields.
      assertThat(JSON.writeValueAsString(c)).isIn(data);
    }
    assertThat(text.toByteArray()).isEqualTo(answer.getBytes(StandardCharsets.UTF_8));
  }
}
