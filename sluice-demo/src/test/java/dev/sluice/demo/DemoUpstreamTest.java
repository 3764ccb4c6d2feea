package dev.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo upstream on real loopback sockets (port 0). */
@Timeout(30)
class DemoUpstreamTest {
  private final GeneratedAnswers answers = new GeneratedAnswers(3);
  private DemoUpstream upstream;

  @AfterEach
  void close() {
    if (upstream != null) {
      upstream.close();
    }
  }

  private DemoUpstream start(DemoOptions options) {
    upstream = DemoUpstream.start("127.0.0.1", 0, answers, options);
    return upstream;
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(upstream.address().getAddress(), upstream.address().getPort());
    s.setSoTimeout(10_000);
    return s;
  }

  private static String chat(String prompt, boolean stream) {
    return DemoPipelineTest.chat(
        "{\"model\":\"m\",\"stream\":"
            + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]}");
  }

  @Test
  void bindsAnEphemeralLoopbackPort() {
    start(DemoOptions.defaults());
    assertThat(upstream.address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(upstream.address().getPort()).isPositive();
    assertThat(upstream.baseUrl())
        .isEqualTo("http://127.0.0.1:" + upstream.address().getPort() + "/v1");
  }

  @Test
  void keepsTheConnectionAliveAcrossRequests() throws IOException {
    start(DemoOptions.defaults());
    try (Socket s = connect()) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      for (int i = 0; i < 3; i++) {
        s.getOutputStream()
            .write(chat("question " + i, i % 2 == 0).getBytes(StandardCharsets.UTF_8));
        RawResponse r = RawResponse.read(in);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("connection")).isNull();
      }
      s.getOutputStream()
          .write("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(RawResponse.read(in).bodyText()).contains("\"sluice-demo\"");
    }
  }

  @Test
  void aLongAnswerStreamsOneEventPerChunkThroughTheSocket() throws IOException {
    start(DemoOptions.defaults());
    String prompt = "write 50 kB about rivers";
    String expected = answers.answer(Requests.user(prompt, ""));
    try (Socket s = connect()) {
      s.getOutputStream().write(chat(prompt, true).getBytes(StandardCharsets.UTF_8));
      RawResponse r = RawResponse.read(new BufferedInputStream(s.getInputStream()));
      List<String> events = SseEvents.split(r.body());
      assertThat(SseEvents.content(events)).isEqualTo(expected);
      assertThat(r.chunks()).hasSameSizeAs(events);
      for (byte[] chunk : r.chunks()) {
        assertThat(SseEvents.split(chunk)).hasSize(1);
      }
      assertThat(events).hasSize(Completion.tokenizer().pieces(expected).size() + 3);
    }
  }

  @Test
  void pipelinedStreamsComeBackInOrder() throws IOException {
    start(DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(1))));
    try (Socket s = connect()) {
      String two = chat("first: 300 bytes", true) + chat("second: 200 bytes", true);
      s.getOutputStream().write(two.getBytes(StandardCharsets.UTF_8));
      InputStream in = new BufferedInputStream(s.getInputStream());
      for (String prompt : List.of("first: 300 bytes", "second: 200 bytes")) {
        RawResponse r = RawResponse.read(in);
        assertThat(SseEvents.content(SseEvents.split(r.body())))
            .isEqualTo(answers.answer(Requests.user(prompt, "")));
      }
    }
  }

  @Test
  void theJdkHttpClientReadsTheStreamLineByLine() throws Exception {
    start(DemoOptions.defaults());
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(upstream.baseUrl() + "/chat/completions"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"m\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
            .build();
    HttpResponse<java.util.stream.Stream<String>> response =
        client.send(request, HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValue("text/event-stream; charset=utf-8");
    List<String> lines = response.body().collect(Collectors.toList());
    String body = lines.stream().map(l -> l + "\n").collect(Collectors.joining());
    assertThat(SseEvents.content(SseEvents.split(body.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(answers.answer(Requests.user("hi", "")));
  }

  @Test
  void closeStopsListening() throws IOException {
    start(DemoOptions.defaults());
    Socket open = connect();
    // A round trip first, so the server has accepted this connection (not just the kernel).
    InputStream in = new BufferedInputStream(open.getInputStream());
    open.getOutputStream()
        .write("GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(RawResponse.read(in).status()).isEqualTo(200);
    upstream.close();
    assertThat(in.read()).isEqualTo(-1);
    open.close();
    assertThatThrownBy(this::connect).isInstanceOf(ConnectException.class);
    upstream.close();
  }

  @Test
  void aTakenPortFailsWithTheAddress() {
    start(DemoOptions.defaults());
    int port = upstream.address().getPort();
    assertThatThrownBy(() -> DemoUpstream.start("127.0.0.1", port, answers, DemoOptions.defaults()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("cannot bind 127.0.0.1:" + port);
  }
}
