package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.sluice.demo.DemoOptions;
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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients through a real {@code sluice run}: OpenAI's Java SDK and {@code curl} talk to the
 * gateway's reverse listener (through a {@link CountingRelay} that counts every byte they receive),
 * which sits in front of a {@link ReplayUpstream}. Answers arrive byte for byte, a stream arrives
 * event by event (the upstream produces event k+1 only after curl printed event k), and afterwards
 * the tenant's {@code sent} in {@code /api/budgets} is at least what the clients received.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GatewayClientsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TENANT = "acme";
  private static final String TENANT_NODE = "tenant:inference/acme";
  private static final Duration STEP = Duration.ofSeconds(10);

  @TempDir static Path dir;
  private static ReplayUpstream upstream;
  private static ReplayUpstream paced;
  private static LockstepPacer pacer;
  private static SluiceProcess sluice;
  private static AdminApi admin;
  private static CountingRelay sdkRelay;
  private static CountingRelay curlRelay;
  private static OpenAIClient client;
  private Process curl;

  @BeforeAll
  static void start() throws Exception {
    upstream = ReplayUpstream.start(sample(), DemoOptions.defaults());
    pacer = new LockstepPacer();
    paced =
        ReplayUpstream.start(
            List.of(CurlStreamingTest.answer()), DemoOptions.defaults().withPacer(pacer));
    Path config =
        TestConfig.in(dir.resolve("data"))
            .tenant(TENANT, "day", "20MB")
            .reverse("api", upstream.rootUrl())
            .reverse("paced", paced.rootUrl())
            .write(dir.resolve("sluice.yaml"));
    sluice = SluiceProcess.start(config, dir);
    admin = new AdminApi(sluice);
    sdkRelay = CountingRelay.start(sluice.listener("api"));
    curlRelay = CountingRelay.start(sluice.listener("paced"));
    client =
        OpenAIOkHttpClient.builder()
            .baseUrl(sdkRelay.url() + "/v1")
            .apiKey("sk-test")
            .putHeader("X-Tenant", TENANT)
            .maxRetries(0)
            .timeout(Duration.ofSeconds(30))
            .responseValidation(true)
            .build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {sdkRelay, curlRelay, sluice}) {
      closeQuietly(c);
    }
    closeQuietly(upstream);
    closeQuietly(paced);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing everything regardless.
      }
    }
  }

  @AfterEach
  void stopCurl() throws Exception {
    if (curl != null) {
      curl.destroyForcibly();
      curl.waitFor(10, TimeUnit.SECONDS);
    }
    assertSentCoversWhatClientsReceived();
  }

  /**
   * Held-out answers of both corpus files: the first few of each, the longest and the ones with the
   * most non-ASCII characters (escaping, surrogate pairs, long streams).
   */
  private static List<Answer> sample() {
    List<Answer> out = new ArrayList<>();
    for (String file : List.of(CorpusAnswers.ARENA_HARD, CorpusAnswers.ALPACA_EVAL)) {
      List<Answer> test = CorpusAnswers.load(file, Split.TEST);
      out.addAll(test.subList(0, 4));
      out.add(test.stream().max(Comparator.comparingInt(a -> a.text().length())).orElseThrow());
      test.stream()
          .sorted(
              Comparator.comparingLong((Answer a) -> a.text().chars().filter(c -> c > 127).count())
                  .reversed())
          .limit(2)
          .forEach(out::add);
    }
    return out;
  }

  private static ChatCompletionCreateParams params(int index) {
    return ChatCompletionCreateParams.builder()
        .model("gpt-4o")
        .addUserMessage(upstream.answers().get(index).prompt())
        .putAdditionalBodyProperty(ReplayUpstream.ANSWER_INDEX, JsonValue.from(index))
        .build();
  }

  /** The tenant's {@code sent} and {@code spent} cover every byte the relays passed to clients. */
  private static void assertSentCoversWhatClientsReceived() throws Exception {
    long received = sdkRelay.bytesFromTarget() + curlRelay.bytesFromTarget();
    JsonNode day = AdminApi.limit(admin.budgets(), TENANT_NODE, "day");
    assertThat(day.path("sent").asLong())
        .as("sent of %s against %d bytes received by clients", TENANT_NODE, received)
        .isGreaterThanOrEqualTo(received);
    assertThat(day.path("spent").asLong()).isGreaterThanOrEqualTo(day.path("sent").asLong());
  }

  @Test
  void theSdkGetsEveryAnswerExactlyWithoutStreaming() {
    for (int i = 0; i < upstream.answers().size(); i++) {
      ChatCompletion c = client.chat().completions().create(params(i));
      assertThat(c.choices()).hasSize(1);
      assertThat(c.choices().get(0).message().content()).hasValue(upstream.answers().get(i).text());
      assertThat(c.choices().get(0).finishReason())
          .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }
    assertThat(sdkRelay.bytesFromTarget()).isPositive();
  }

  @Test
  void theSdkReassemblesEveryStreamExactly() {
    for (int i = 0; i < upstream.answers().size(); i++) {
      ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
      StringBuilder text = new StringBuilder();
      try (StreamResponse<ChatCompletionChunk> stream =
          client.chat().completions().createStreaming(params(i))) {
        stream.stream()
            .forEach(
                chunk -> {
                  accumulator.accumulate(chunk);
                  chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
                });
      }
      String expected = upstream.answers().get(i).text();
      assertThat(text.toString()).isEqualTo(expected);
      ChatCompletion whole = accumulator.chatCompletion();
      assertThat(whole.choices().get(0).message().content()).hasValue(expected);
      assertThat(whole.choices().get(0).finishReason())
          .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }
  }

  private Process curl(String baseUrl, String prompt, boolean stream, String... more)
      throws IOException {
    ObjectNode body = JSON.createObjectNode().put("model", "gpt-4o").put("stream", stream);
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    Path file = Files.createTempFile(dir, "body-", ".json");
    Files.write(file, JSON.writeValueAsBytes(body));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "curl",
                "-sN",
                "--max-time",
                "50",
                "-H",
                "Content-Type: application/json",
                "-H",
                "X-Tenant: " + TENANT,
                "--data-binary",
                "@" + file));
    cmd.addAll(List.of(more));
    cmd.add(baseUrl + "/v1/chat/completions");
    return new ProcessBuilder(cmd).redirectError(dir.resolve("curl.err").toFile()).start();
  }

  @Test
  void curlReceivesEachEventThroughTheGatewayBeforeTheNextIsProduced() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        CurlStreamingTest.curlRuns(), "curl is not installed (.ci/run installs it)");
    Answer answer = paced.answers().get(0);
    curl = curl(curlRelay.url(), answer.prompt(), true);
    InputStream out = new BufferedInputStream(curl.getInputStream());
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    int events = 0;
    int before = pacer.released();
    for (; ; ) {
      byte[] event = CurlStreamingTest.readEvent(out);
      assertThat(event).as("stream ended after %d events", events).isNotNull();
      // Event k arrived through the gateway while event k+1 was still held by the upstream.
      assertThat(pacer.released() - before).isEqualTo(events);
      raw.writeBytes(event);
      events++;
      if (new String(event, StandardCharsets.UTF_8).equals("data: [DONE]\n\n")) {
        break;
      }
      assertThat(pacer.releaseNext(STEP)).as("the stream asked for the next event").isTrue();
    }
    assertThat(out.read()).isEqualTo(-1);
    assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(curl.exitValue()).as(Files.readString(dir.resolve("curl.err"))).isZero();
    assertThat(pacer.waiting()).isFalse();
    CurlStreamingTest.assertIsOpenAiStream(raw.toByteArray(), answer.text());
    // What curl printed is the body; the relay saw it plus the head and the chunk framing.
    assertThat(curlRelay.bytesFromTarget()).isGreaterThan(raw.size());
  }

  @Test
  void curlGetsTheExactBytesStreamedAndNot() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        CurlStreamingTest.curlRuns(), "curl is not installed (.ci/run installs it)");
    for (int i = 0; i < upstream.answers().size(); i++) {
      Answer answer = upstream.answers().get(i);
      // The prompt picks the answer by its hash when there is no index: ask for it by prompt.
      int index = ReplayUpstream.indexOf(answer.prompt(), upstream.answers().size());
      Answer expected = upstream.answers().get(index);

      curl = curl(sdkRelay.url(), answer.prompt(), true);
      byte[] streamed = curl.getInputStream().readAllBytes();
      assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(curl.exitValue()).isZero();
      CurlStreamingTest.assertIsOpenAiStream(streamed, expected.text());

      curl = curl(sdkRelay.url(), answer.prompt(), false);
      byte[] whole = curl.getInputStream().readAllBytes();
      assertThat(curl.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(curl.exitValue()).isZero();
      JsonNode completion = JSON.readTree(whole);
      assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
      assertThat(
              completion
                  .path("choices")
                  .path(0)
                  .path("message")
                  .path("content")
                  .asText()
                  .getBytes(StandardCharsets.UTF_8))
          .isEqualTo(expected.text().getBytes(StandardCharsets.UTF_8));
    }
  }
}
