package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Split;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests whose framing a server could read differently than the gateway does (request smuggling),
 * or that are simply malformed, written byte for byte on a raw socket to a real {@code sluice run}:
 * each is answered {@code 400} with a JSON body and the connection is closed, the upstream receives
 * nothing at all (a {@link CountingRelay} in front of it counts connections and bytes), and the
 * gateway goes on serving well-formed requests.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MalformedRequestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  /** A valid chat request body: anything forwarded would get a real answer. */
  private static final String BODY =
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
          + "\"sluice_answer_index\":0}";

  private static final String POST = "POST /v1/chat/completions HTTP/1.1\r\n";
  private static final String HEAD =
      POST + "Host: gateway\r\nX-Tenant: acme\r\nContent-Type: application/json\r\n";

  @TempDir static Path dir;
  private static ReplayUpstream upstream;
  private static CountingRelay upstreamSide;
  private static SluiceProcess sluice;

  @BeforeAll
  static void start() throws Exception {
    upstream =
        ReplayUpstream.start(
            CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).subList(0, 1),
            DemoOptions.defaults());
    upstreamSide = CountingRelay.start(upstream.address());
    Path config =
        TestConfig.in(dir.resolve("data"))
            .tenant("acme", "day", "20MB")
            .reverse("api", upstreamSide.url())
            .write(dir.resolve("sluice.yaml"));
    sluice = SluiceProcess.start(config, dir);
  }

  @AfterAll
  static void stop() {
    if (sluice != null) {
      sluice.close();
    }
    if (upstreamSide != null) {
      upstreamSide.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static Arguments bad(String name, String request) {
    return Arguments.of(name, request);
  }

  private static String chunked(String headers, String body) {
    return HEAD + headers + "\r\n" + body;
  }

  static Stream<Arguments> malformed() {
    int n = BODY.length();
    String hex = Integer.toHexString(n);
    String chunkedBody = hex + "\r\n" + BODY + "\r\n0\r\n\r\n";
    String big = "x".repeat(20_000);
    return Stream.of(
        bad("chunk size not hex", chunked("Transfer-Encoding: chunked\r\n", "zz\r\n" + BODY)),
        bad(
            "chunk size negative",
            chunked("Transfer-Encoding: chunked\r\n", "-" + hex + "\r\n" + BODY + "\r\n0\r\n\r\n")),
        bad(
            "chunk size overflowing 64 bits",
            chunked("Transfer-Encoding: chunked\r\n", "1" + "0".repeat(17) + hex + "\r\n" + BODY)),
        bad(
            "chunk size with 0x prefix",
            chunked(
                "Transfer-Encoding: chunked\r\n", "0x" + hex + "\r\n" + BODY + "\r\n0\r\n\r\n")),
        bad(
            "chunk data longer than its size",
            chunked(
                "Transfer-Encoding: chunked\r\n",
                Integer.toHexString(n - 4) + "\r\n" + BODY + "\r\n0\r\n\r\n")),
        bad(
            "Content-Length and Transfer-Encoding",
            chunked("Content-Length: " + n + "\r\nTransfer-Encoding: chunked\r\n", chunkedBody)),
        bad(
            "Transfer-Encoding and Content-Length",
            chunked("Transfer-Encoding: chunked\r\nContent-Length: " + n + "\r\n", chunkedBody)),
        bad(
            "duplicate Content-Length",
            chunked("Content-Length: " + n + "\r\nContent-Length: " + n + "\r\n", BODY)),
        bad("Content-Length list", chunked("Content-Length: " + n + ", " + n + "\r\n", BODY)),
        bad("Content-Length with a sign", chunked("Content-Length: +" + n + "\r\n", BODY)),
        bad("Content-Length not a number", chunked("Content-Length: 0x" + hex + "\r\n", BODY)),
        bad(
            "Transfer-Encoding: chunked, identity",
            chunked("Transfer-Encoding: chunked, identity\r\n", chunkedBody)),
        bad(
            "Transfer-Encoding: identity, chunked",
            chunked("Transfer-Encoding: identity, chunked\r\n", chunkedBody)),
        bad("Transfer-Encoding: xchunked", chunked("Transfer-Encoding: xchunked\r\n", chunkedBody)),
        bad(
            "Transfer-Encoding twice",
            chunked("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", chunkedBody)),
        bad(
            "Transfer-Encoding with a space before the colon",
            chunked("Transfer-Encoding : chunked\r\n", chunkedBody)),
        bad(
            "Transfer-Encoding folded onto the next line",
            chunked("Transfer-Encoding:\r\n chunked\r\n", chunkedBody)),
        bad(
            "obs-folded header",
            chunked("X-Note: first\r\n second\r\nContent-Length: " + n + "\r\n", BODY)),
        bad(
            "obs-folded header with a tab",
            chunked("X-Note: first\r\n\tsecond\r\nContent-Length: " + n + "\r\n", BODY)),
        bad(
            "oversized header",
            chunked("X-Big: " + big + "\r\nContent-Length: " + n + "\r\n", BODY)),
        bad(
            "oversized request line",
            "POST /v1/chat/completions?"
                + big
                + " HTTP/1.1\r\nHost: gateway\r\n"
                + "X-Tenant: acme\r\nContent-Length: "
                + n
                + "\r\n\r\n"
                + BODY),
        bad(
            "bare LF line endings",
            (HEAD + "Content-Length: " + n + "\r\n\r\n").replace("\r\n", "\n") + BODY),
        bad(
            "one bare LF header line",
            POST + "Host: gateway\nX-Tenant: acme\r\nContent-Length: " + n + "\r\n\r\n" + BODY),
        bad("bare CR in a header", chunked("X-Note: a\rb\r\nContent-Length: " + n + "\r\n", BODY)),
        bad(
            "absolute URI in reverse mode",
            "POST http://upstream.example/v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"
                + "X-Tenant: acme\r\nContent-Length: "
                + n
                + "\r\n\r\n"
                + BODY),
        bad("missing Host", POST + "X-Tenant: acme\r\nContent-Length: " + n + "\r\n\r\n" + BODY),
        bad("two Hosts", HEAD + "Host: other\r\nContent-Length: " + n + "\r\n\r\n" + BODY),
        bad("space in a header name", chunked("X Note: a\r\nContent-Length: " + n + "\r\n", BODY)),
        bad(
            "CL.TE smuggling",
            HEAD
                + "Content-Length: 35\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "GET /v1/models HTTP/1.1\r\nX: "),
        bad(
            "TE.CL smuggling",
            HEAD
                + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2a\r\nGET /v1/models HTTP/1.1\r\nHost: gateway\r\n\r\n\r\n0\r\n\r\n"),
        bad(
            "TE.TE smuggling with an obfuscated second Transfer-Encoding",
            HEAD
                + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\nTransfer-encoding: x\r\n\r\n"
                + "2a\r\nGET /v1/models HTTP/1.1\r\nHost: gateway\r\n\r\n\r\n0\r\n\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void isRefusedWith400AndNeverForwarded(String name, String request) throws Exception {
    long connections = upstreamSide.connections();
    long bytes = upstreamSide.bytesToTarget();

    RawHttp.Response r =
        RawHttp.exchange(
            sluice.listener("api"), request.getBytes(StandardCharsets.ISO_8859_1), READ_TIMEOUT);

    assertThat(r.status()).as("status of %s", r).isEqualTo(400);
    assertThat(r.header("content-type")).isEqualTo("application/json");
    assertThat(r.complete()).as("whole response: %s", r).isTrue();
    JsonNode error = JSON.readTree(r.body()).path("error");
    // A second Host decides routing: it has its own reason; every other case is bad_request.
    assertThat(error.path("type").asText())
        .isEqualTo(name.equals("two Hosts") ? "duplicate_identity_header" : "bad_request");
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(r.eof()).as("the gateway closed the connection: %s", r).isTrue();
    assertThat(upstreamSide.connections()).as("connections to the upstream").isEqualTo(connections);
    assertThat(upstreamSide.bytesToTarget()).as("bytes to the upstream").isEqualTo(bytes);

    assertServesAWellFormedRequest();
  }

  @Test
  void aWellFormedRequestIsForwarded() throws Exception {
    long connections = upstreamSide.connections();
    assertServesAWellFormedRequest();
    assertThat(upstreamSide.connections()).isEqualTo(connections + 1);
  }

  @Test
  void aChunkedRequestIsForwarded() throws Exception {
    String hex = Integer.toHexString(BODY.length());
    RawHttp.Response r =
        RawHttp.exchange(
            sluice.listener("api"),
            chunked(
                    "Transfer-Encoding: chunked\r\nConnection: close\r\n",
                    hex + "\r\n" + BODY + "\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1),
            READ_TIMEOUT);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(RawHttp.answerText(r)).isEqualTo(upstream.answers().get(0).text());
  }

  /** The answer to a HEAD is a head only, and the next response on the connection follows it. */
  @Test
  void aHeadAnswerHasNoBodyAndTheConnectionGoesOn() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(sluice.listener("api"), 5_000);
      s.setSoTimeout((int) READ_TIMEOUT.toMillis());
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(
          "HEAD /v1/models HTTP/1.1\r\nHost: gateway\r\nX-Tenant: acme\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        assertThat(b).as("the head of the HEAD answer: %s", head).isNotNegative();
        head.write(b);
      }
      assertThat(head.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 405 ");
      out.write(
          "GET /v1/models HTTP/1.1\r\nHost: gateway\r\nX-Tenant: acme\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String next = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(next).startsWith("HTTP/1.1 200 ").contains("sluice-demo");
    }
  }

  private static void assertServesAWellFormedRequest() throws Exception {
    RawHttp.Response ok =
        RawHttp.exchange(sluice.listener("api"), RawHttp.chat("acme", 0, false), READ_TIMEOUT);
    assertThat(ok.status()).as("a well-formed request afterwards: %s", ok).isEqualTo(200);
    assertThat(RawHttp.answerText(ok)).isEqualTo(upstream.answers().get(0).text());
  }
}
