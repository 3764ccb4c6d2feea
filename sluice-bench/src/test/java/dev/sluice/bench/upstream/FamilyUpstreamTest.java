package dev.sluice.bench.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.demo.Pacer;
import dev.sluice.time.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FamilyUpstreamTest {
  private static final String ANSWER =
      "Rivers carry silt. They \"meander\" <slowly> to the sea 😀.";

  private final ManualClock clock = ManualClock.at("2026-11-23T04:00:00Z");
  private final BlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
  private FamilyUpstream upstream;

  /** Holds every paced event until the test releases it: no sleeps, no real pacing. */
  private final Pacer heldPacer = (index, loop, produce) -> held.add(produce);

  private FamilyUpstream start() {
    upstream =
        FamilyUpstream.start(
            "127.0.0.1",
            0,
            new FamilyUpstream.Options(List.of(ANSWER), clock, () -> heldPacer, Tokenizer.o200k()));
    return upstream;
  }

  @AfterEach
  void stop() {
    if (upstream != null) {
      upstream.close();
    }
  }

  /** What the upstream must send for {@code body} on {@code path}. */
  private FamilyStream expected(String path, String header, String body) throws Exception {
    FamilyRequest r = FamilyRouter.route(path, header, body, clock.millis() / 1000);
    return r.family()
        .build(
            ANSWER,
            Tokenizer.o200k(),
            new SplittableRandom(r.key()),
            r.options().withPromptTokens(Tokenizer.o200k().count(body)));
  }

  @Test
  void everyEventIsOneChunkReleasedByThePacerAndTheSendsAreLogged() throws Exception {
    start();
    String body = "{\"model\":\"vllm\",\"stream\":true,\"messages\":[]}";
    FamilyStream want = expected("/v1/chat/completions", null, body);
    assertThat(want.family()).isEqualTo(Family.VLLM);
    String id;
    try (ChunkedClient c = new ChunkedClient(upstream.address())) {
      c.post("/v1/chat/completions", body);
      ChunkedClient.Head head = c.head();
      assertThat(head.status()).isEqualTo("HTTP/1.1 200 OK");
      assertThat(head.raw())
          .startsWith(
              "HTTP/1.1 200 OK\r\ndate: Mon, 23 Nov 2026 04:00:00 GMT\r\nserver: uvicorn\r\n"
                  + "content-type: text/event-stream; charset=utf-8\r\n"
                  + "transfer-encoding: chunked\r\n");
      id = head.headers().get("x-sluice-stream");
      // The first event goes at once; each later one when the pacer, asked once per event after
      // the previous write, lets it (take() blocks until the stream asks).
      assertThat(c.chunk()).isEqualTo(want.writes().get(0));
      for (int i = 1; i < want.writes().size(); i++) {
        Runnable next = held.take();
        clock.advance(Duration.ofMillis(20));
        next.run();
        assertThat(c.chunk()).isEqualTo(want.writes().get(i));
      }
      assertThat(c.chunk()).isEmpty();
      assertThat(held).isEmpty();

      c.get(FamilyHandler.SENDS_PATH + id);
      ChunkedClient.Head h = c.head();
      JsonNode sends =
          new ObjectMapper().readTree(c.body(Integer.parseInt(h.headers().get("content-length"))));
      assertThat(sends.get("family").asText()).isEqualTo("vllm");
      assertThat(sends.get("events").asInt()).isEqualTo(want.writes().size());
      assertThat(sends.get("sizes")).hasSize(want.writes().size());
      for (int i = 0; i < want.writes().size(); i++) {
        assertThat(sends.get("sizes").get(i).asInt()).isEqualTo(want.writes().get(i).length);
      }
      assertThat(sends.get("body_sha256").asText()).isEqualTo(SendLog.sha256(want.body()));
      assertThat(sends.get("text_bytes").asInt())
          .isEqualTo(ANSWER.getBytes(StandardCharsets.UTF_8).length);
      JsonNode t = sends.get("send_epoch_nanos");
      long start = clock.millis() * 1_000_000L - (want.writes().size() - 1) * 20_000_000L;
      for (int i = 0; i < t.size(); i++) {
        assertThat(t.get(i).asLong()).isEqualTo(start + i * 20_000_000L);
      }
    }
  }

  @Test
  void eachEndpointAnswersInItsFamilysBytes() throws Exception {
    start();
    String[][] cases = {
      {
        "/v1/chat/completions",
        null,
        "{\"stream\":true,\"stream_options\":{\"include_usage\":true}}"
      },
      {"/v1/chat/completions", "X-Sluice-Family: llamacpp", "{\"stream\":true}"},
      {"/v1/chat/completions", null, "{\"model\":\"gpt-4o\"}"},
      {"/v1/responses", null, "{\"stream\":true,\"input\":\"hi\"}"},
      {"/v1/messages", null, "{\"stream\":true,\"model\":\"claude-x\"}"},
      {"/api/chat", null, "{\"model\":\"llama3.2\"}"},
      {"/api/chat", null, "{\"stream\":false}"},
      {"/api/generate", null, "{\"prompt\":\"p\"}"},
    };
    for (String[] k : cases) {
      String header = k[1] == null ? null : k[1].substring(k[1].indexOf(':') + 2);
      FamilyStream want = expected(k[0], header, k[2]);
      try (ChunkedClient c = new ChunkedClient(upstream.address())) {
        if (k[1] == null) {
          c.post(k[0], k[2]);
        } else {
          c.post(k[0], k[2], k[1]);
        }
        ChunkedClient.Head head = c.head();
        assertThat(head.headers().get("content-type")).isEqualTo(want.family().contentType());
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        if (want.family().streaming()) {
          for (int i = 0; i < want.writes().size(); i++) {
            if (i > 0) {
              held.take().run(); // blocks until the stream asks the pacer for event i
            }
            got.writeBytes(c.chunk());
          }
          assertThat(c.chunk()).isEmpty();
        } else {
          got.writeBytes(c.body(Integer.parseInt(head.headers().get("content-length"))));
        }
        assertThat(new String(got.toByteArray(), StandardCharsets.UTF_8))
            .as(k[0] + " " + k[2])
            .isEqualTo(new String(want.body(), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void refusalsAreJsonErrorsWithTheirStatus() throws IOException {
    start();
    String[][] cases = {
      {"/v1/nope", "{}", "404"},
      {"/v1/messages", "{\"stream\":false}", "400"},
      {"/v1/chat/completions", "not json", "400"},
    };
    for (String[] k : cases) {
      try (ChunkedClient c = new ChunkedClient(upstream.address())) {
        c.post(k[0], k[1]);
        ChunkedClient.Head h = c.head();
        assertThat(h.status()).startsWith("HTTP/1.1 " + k[2]);
        String body = new String(c.body(Integer.parseInt(h.headers().get("content-length"))));
        assertThat(new ObjectMapper().readTree(body).at("/error/message").asText()).isNotEmpty();
      }
    }
  }

  @Test
  void routing() throws Exception {
    assertThat(FamilyRouter.route("/v1/chat/completions", "tgi", "{\"stream\":true}", 0).family())
        .isEqualTo(Family.TGI);
    assertThat(
            FamilyRouter.route(
                    "/v1/chat/completions", null, "{\"model\":\"python-sse\",\"stream\":true}", 0)
                .family())
        .isEqualTo(Family.PYTHON_SSE);
    FamilyRequest r =
        FamilyRouter.route(
            "/v1/chat/completions",
            null,
            "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":"
                + "{\"include_usage\":true,\"include_obfuscation\":true}}",
            77);
    assertThat(r.family()).isEqualTo(Family.OPENAI_CHAT);
    assertThat(r.options().model()).isEqualTo("gpt-4o-mini");
    assertThat(r.options().includeUsage()).isTrue();
    assertThat(r.options().obfuscation()).isTrue();
    assertThat(r.options().createdEpochSecond()).isEqualTo(77);
    assertThatThrownBy(() -> FamilyRouter.route("/v1/chat/completions", "anthropic", "{}", 0))
        .hasMessageContaining("anthropic is not served on /v1/chat/completions");
    assertThatThrownBy(() -> FamilyRouter.route("/v1/chat/completions", "nope", "{}", 0))
        .hasMessageContaining("unknown stream family \"nope\"");
  }

  @Test
  void ratePacerKeepsTheScheduleFromTheFirstEvent() {
    RatePacer p = new RatePacer(clock, 50);
    assertThat(p.delayNanos(1)).isEqualTo(20_000_000L);
    clock.advance(Duration.ofMillis(25));
    assertThat(p.delayNanos(2)).isEqualTo(15_000_000L);
    clock.advance(Duration.ofMillis(100));
    assertThat(p.delayNanos(3)).isZero();
    assertThat(p.delayNanos(7)).isEqualTo(15_000_000L);
    assertThatThrownBy(() -> new RatePacer(clock, 0)).hasMessageContaining("positive");
  }
}
