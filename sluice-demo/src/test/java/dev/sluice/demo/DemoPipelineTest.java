package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.time.ManualClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole server pipeline without sockets: exact bytes in, exact bytes out. */
class DemoPipelineTest {
  private static final ManualClock CLOCK = ManualClock.at("2026-01-01T00:00:00Z");
  private static final String ANSWER = "Hi there!";

  private final HeldPacer pacer = new HeldPacer();
  private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
  private EmbeddedChannel ch;

  private EmbeddedChannel channel(AnswerSource source) {
    DemoOptions options = DemoOptions.defaults().withClock(CLOCK).withPacer(pacer);
    ch = new EmbeddedChannel(DemoPipeline.of(source, options, connections));
    return ch;
  }

  @AfterEach
  void releaseEverything() {
    if (ch != null) {
      ch.finishAndReleaseAll();
    }
  }

  static String chat(String body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  static final String STREAM =
      "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

  private void send(String request) {
    ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.UTF_8));
  }

  /** Everything written so far, as bytes. */
  private byte[] written() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      out.writeBytes(bytes);
      b.release();
    }
    return out.toByteArray();
  }

  private String writtenText() {
    return new String(written(), StandardCharsets.UTF_8);
  }

  private void releaseAll() {
    while (pacer.release()) {
      ch.runPendingTasks();
    }
  }

  @Test
  void streamIsOpenAiFramingByteForByte() {
    channel(r -> ANSWER);
    send(
        chat(
            "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}"));
    releaseAll();
    String head =
        "HTTP/1.1 200 OK\r\n"
            + "content-type: text/event-stream; charset=utf-8\r\n"
            + "cache-control: no-cache\r\n"
            + "transfer-encoding: chunked\r\n\r\n";
    String prefix =
        "{\"id\":\"%s\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,"
            + "\"model\":\"gpt-4o\",\"system_fingerprint\":\"%s\",\"choices\":";
    String wire = writtenText();
    JsonNode first = SseEvents.json(wire.substring(wire.indexOf("data: ") + 6).split("\n")[0]);
    String p =
        String.format(prefix, first.get("id").asText(), first.get("system_fingerprint").asText());
    String choice = "[{\"index\":0,\"delta\":%s,\"logprobs\":null,\"finish_reason\":%s}]";
    String[] events = {
      p
          + String.format(choice, "{\"role\":\"assistant\",\"content\":\"\"}", "null")
          + ",\"usage\":null}",
      p + String.format(choice, "{\"content\":\"Hi\"}", "null") + ",\"usage\":null}",
      p + String.format(choice, "{\"content\":\" there\"}", "null") + ",\"usage\":null}",
      p + String.format(choice, "{\"content\":\"!\"}", "null") + ",\"usage\":null}",
      p + String.format(choice, "{}", "\"stop\"") + ",\"usage\":null}",
      p + "[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3,\"total_tokens\":5}}",
      "[DONE]"
    };
    StringBuilder expected = new StringBuilder(head);
    for (String e : events) {
      String event = "data: " + e + "\n\n";
      int n = event.getBytes(StandardCharsets.UTF_8).length;
      expected.append(Integer.toHexString(n)).append("\r\n").append(event).append("\r\n");
    }
    expected.append("0\r\n\r\n");
    assertThat(wire).isEqualTo(expected.toString());
    assertThat(first.get("id").asText()).matches("chatcmpl-[0-9A-Za-z]{29}");
    assertThat(first.get("system_fingerprint").asText()).matches("fp_[0-9a-f]{10}");
  }

  @Test
  void eachEventLeavesBeforeTheNextIsProduced() throws IOException {
    channel(r -> "The quick brown fox jumps over the lazy dog.");
    send(chat(STREAM));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    int events = 0;
    for (; ; ) {
      byte[] now = written();
      String text = new String(now, StandardCharsets.UTF_8);
      // Exactly one new event (one chunk) since the last step, and nothing produced ahead.
      assertThat(text.split("data: ", -1)).as(text).hasSize(2);
      all.writeBytes(now);
      events++;
      if (text.contains("[DONE]")) {
        break;
      }
      assertThat(pacer.waiting()).isEqualTo(1);
      pacer.release();
      ch.runPendingTasks();
    }
    RawResponse r = RawResponse.read(new ByteArrayInputStream(all.toByteArray()));
    assertThat(r.chunks()).hasSize(events);
    List<String> data = SseEvents.split(r.body());
    assertThat(SseEvents.content(data)).isEqualTo("The quick brown fox jumps over the lazy dog.");
    assertThat(data).last().isEqualTo("[DONE]");
    assertThat(pacer.waiting()).isZero();
  }

  @Test
  void withoutStreamTheAnswerIsOneJsonObjectWithContentLength() throws IOException {
    channel(r -> ANSWER);
    send(
        chat(
            "{\"model\":\"gpt-4o\",\"max_tokens\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}"));
    RawResponse r = RawResponse.read(new ByteArrayInputStream(written()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.header("content-length")).isEqualTo(String.valueOf(r.body().length));
    JsonNode body = SseEvents.json(r.bodyText());
    assertThat(body.get("object").asText()).isEqualTo("chat.completion");
    assertThat(body.get("created").asLong()).isEqualTo(1767225600L);
    assertThat(body.get("model").asText()).isEqualTo("gpt-4o");
    JsonNode choice = body.get("choices").get(0);
    assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
    assertThat(choice.get("message").get("content").asText()).isEqualTo("Hi there");
    assertThat(choice.get("finish_reason").asText()).isEqualTo("length");
    assertThat(body.get("usage").toString())
        .isEqualTo("{\"prompt_tokens\":2,\"completion_tokens\":2,\"total_tokens\":4}");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOneAtATime() throws IOException {
    channel(r -> ANSWER);
    send(chat(STREAM) + "GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n");
    // The stream is paused: the models request waits and nothing of its answer is written.
    byte[] first = written();
    assertThat(new String(first, StandardCharsets.UTF_8)).doesNotContain("\"object\":\"list\"");
    assertThat(ch.config().isAutoRead()).isFalse();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(first);
    while (pacer.release()) {
      ch.runPendingTasks();
      all.writeBytes(written());
    }
    all.writeBytes(written());
    InputStream in = new ByteArrayInputStream(all.toByteArray());
    RawResponse stream = RawResponse.read(in);
    assertThat(SseEvents.content(SseEvents.split(stream.body()))).isEqualTo(ANSWER);
    RawResponse models = RawResponse.read(in);
    assertThat(models.bodyText())
        .startsWith("{\"object\":\"list\",\"data\":[{\"id\":\"sluice-demo\",\"object\":\"model\"");
    assertThat(in.available()).isZero();
    assertThat(ch.config().isAutoRead()).isTrue();
    assertThat(ch.isOpen()).isTrue();
  }

  @Test
  void aClientThatLeavesMidStreamStopsIt() {
    channel(r -> ANSWER);
    send(chat(STREAM));
    written();
    ch.close();
    assertThat(pacer.release()).isTrue();
    ch.runPendingTasks();
    assertThat(written()).isEmpty();
    assertThat(pacer.waiting()).isZero();
  }

  @Test
  void http10GetsTheEventsWithoutChunkingAndAClose() throws IOException {
    channel(r -> ANSWER);
    String request = chat(STREAM).replace("HTTP/1.1", "HTTP/1.0");
    send(request);
    releaseAll();
    RawResponse r = RawResponse.read(new ByteArrayInputStream(written()));
    assertThat(r.header("transfer-encoding")).isNull();
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(SseEvents.content(SseEvents.split(r.body()))).isEqualTo(ANSWER);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void connectionCloseIsHonouredAfterTheResponse() throws IOException {
    channel(r -> ANSWER);
    send(chat(STREAM).replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n"));
    releaseAll();
    RawResponse r = RawResponse.read(new ByteArrayInputStream(written()));
    assertThat(r.header("connection")).isEqualTo("close");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void errorsUseOpenAisShape() throws IOException {
    channel(
        r -> {
          switch (r.lastUserMessage()) {
            case "bad":
              throw new IllegalArgumentException("no such answer");
            case "broken":
              throw new IllegalStateException("boom");
            default:
              return ANSWER;
          }
        });
    assertError("GET /v1/nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "Invalid URL (GET /v1/nope)");
    assertError(
        "GET /v1/chat/completions HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Method GET is not allowed");
    assertError("POST /v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405, "use GET");
    assertError(chat("{nope"), 400, "could not parse the JSON body");
    assertError(
        chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"bad\"}]}"),
        400,
        "no such answer");
    assertError(
        chat("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"broken\"}]}"),
        500,
        "boom");
    assertThat(ch.isOpen()).isTrue();
  }

  private void assertError(String request, int status, String message) throws IOException {
    send(request);
    RawResponse r = RawResponse.read(new ByteArrayInputStream(written()));
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    JsonNode error = SseEvents.json(r.bodyText()).get("error");
    assertThat(error.get("message").asText()).contains(message);
    assertThat(error.get("type").asText()).isIn("invalid_request_error", "server_error");
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
  }

  @Test
  void aMalformedRequestGets400AndAClose() throws IOException {
    channel(r -> ANSWER);
    send("POST /v1/chat/completions HTTP/1.1\r\nContent-Length: nope\r\n\r\n");
    RawResponse r = RawResponse.read(new ByteArrayInputStream(written()));
    assertThat(r.status()).isEqualTo(400);
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void anOversizedBodyGets413() throws IOException {
    DemoOptions options = DemoOptions.defaults().withMaxRequestBytes(1024);
    ch = new EmbeddedChannel(DemoPipeline.of(r -> ANSWER, options, connections));
    send(chat("{\"model\":\"m\",\"pad\":\"" + "x".repeat(2000) + "\"}"));
    RawResponse r = RawResponse.read(new ByteArrayInputStream(written()));
    assertThat(r.status()).isEqualTo(413);
  }
}
