package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.demo.DemoOptions;
import dev.sluice.detect.format.fixtures.RealModels;
import dev.sluice.it.CorpusAnswers.Split;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan stage end to end (issue 17, point 4): a real {@code sluice run} with a fingerprint index
 * that {@code sluice fingerprint index} built from the real all-MiniLM-L6-v2 float32 weights, real
 * origins, every listener mode. A reverse response carrying a 1 MiB weight slice is refused with
 * 403 {@code weights_detected} before anything of it leaves, or cut once its head and text had
 * left; in a zone with {@code action: alert} the same response passes; SSE answers of the shared
 * corpus pass untouched with the tensor detector on; a forward request uploading the slice base64
 * in JSON is stopped; a tcp connection carrying the slice is cut. Every finding is one {@code
 * detection} ledger entry, and {@code sluice ledger verify} accepts the ledger.
 *
 * <p>{@code hold: 500ms}: the 403 case needs the response head still held when the match comes,
 * about 100 to 200 KB into the body; with the default 10 ms a loaded test machine may pause longer
 * than that between the head and those bytes, and the right answer would then be a cut.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DetectionEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where the slice starts in the model file: inside the word-embedding matrix. */
  private static final long SLICE_AT = 20_000_003;

  private static final int SLICE = 1 << 20;

  @TempDir static Path dir;
  private static byte[] slice;
  private static byte[] text;
  private static WeightsOrigin origin;
  private static ReplayUpstream corpus;
  private static ServerSocket tcpSink;
  private static SluiceProcess sluice;
  private static List<CorpusAnswers.Answer> answers;

  @BeforeAll
  static void start() throws Exception {
    Path model = RealModels.fp32();
    slice = new byte[SLICE];
    try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "r")) {
      f.seek(SLICE_AT);
      f.readFully(slice);
    }
    Path index = dir.resolve("minilm.sfi");
    SluiceCommand.Result built =
        SluiceCommand.run(dir, "fingerprint", "index", "--out", index.toString(), model.toString());
    assertThat(built.exitCode()).as(built.describe()).isZero();

    answers = CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).subList(0, 12);
    corpus = ReplayUpstream.start(answers, DemoOptions.defaults());
    text = sseText(answers, 400_000);
    origin = new WeightsOrigin(slice, text);
    tcpSink = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());

    String yaml =
        """
        site: it
        model: { name: minilm, weight_bytes: 90MB }
        mode: enforce
        time_zone: "%s"
        data_dir: "%s"
        detection: { index: "%s", tensors: true, action: block, hold: 500ms }
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              tenants:
                acme: {}
              unknown_destinations: allow
            watch:
              detection: { action: alert }
              tenants:
                default: {}
        listeners:
          - { name: api, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant }
          - { name: chat, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant }
          - { name: watch, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: watch, tenant_header: X-Tenant }
          - name: out
            mode: forward
            bind: "127.0.0.1:0"
            zone: inference
            deny_ranges: []
            tenants_by_source: { "127.0.0.0/8": acme }
          - name: raw
            mode: tcp
            bind: "127.0.0.1:0"
            upstream: "127.0.0.1:%d"
            zone: inference
            egress: upstream
            tenants_by_source: { "127.0.0.0/8": acme }
        admin: { bind: "127.0.0.1:0" }
        """
            .formatted(
                TestConfig.ZONE.getId(),
                dir.resolve("data"),
                index,
                origin.rootUrl(),
                corpus.rootUrl(),
                origin.rootUrl(),
                tcpSink.getLocalPort());
    Path config = Files.writeString(dir.resolve("sluice.yaml"), yaml);
    sluice = SluiceProcess.start(config, dir);
  }

  @AfterAll
  static void stop() throws IOException {
    for (AutoCloseable c : new AutoCloseable[] {sluice, origin, corpus, tcpSink}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  private static byte[] get(String path, String tenant) {
    return ("GET "
            + path
            + " HTTP/1.1\r\nHost: gateway\r\nX-Tenant: "
            + tenant
            + "\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  @Order(1)
  void aResponseCarryingWeightsIsRefusedBeforeItStarts() {
    RawHttp.Response r = RawHttp.exchange(sluice.listener("api"), get("/weights", "acme"), WAIT);
    assertThat(r.status()).as("%s", r).isEqualTo(403);
    assertThat(r.bodyText()).contains("\"type\":\"weights_detected\"");
    assertThat(r.raw().length).isLessThan(4096);
  }

  @Test
  @Order(2)
  void aResponseWhoseWeightsComeLateIsCutMidStream() {
    RawHttp.Response r = RawHttp.exchange(sluice.listener("api"), get("/late", "acme"), WAIT);
    assertThat(r.status()).as("the head had left").isEqualTo(200);
    assertThat(r.complete()).as("cut, not ended").isFalse();
    assertThat(r.raw().length)
        .as("the text may have left, not the weights")
        .isLessThan(text.length + 4096);
  }

  @Test
  @Order(3)
  void withActionAlertTheWeightsPass() {
    RawHttp.Response r = RawHttp.exchange(sluice.listener("watch"), get("/weights", "any"), WAIT);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.complete()).as("%s", r.error()).isTrue();
    assertThat(r.body()).isEqualTo(slice);
  }

  @Test
  @Order(4)
  void sseAnswersFromTheCorpusPass() throws Exception {
    for (int i = 0; i < answers.size(); i++) {
      RawHttp.Response r =
          RawHttp.exchange(sluice.listener("chat"), RawHttp.chat("acme", i, true), WAIT);
      assertThat(r.status()).as("answer %d: %s", i, r).isEqualTo(200);
      assertThat(r.complete()).as("answer %d complete", i).isTrue();
      assertThat(RawHttp.answerText(r)).isEqualTo(answers.get(i).text());
    }
  }

  @Test
  @Order(5)
  void aForwardRequestUploadingBase64WeightsIsStopped() {
    byte[] body =
        ("{\"name\":\"notes.bin\",\"data\":\"" + Base64.getEncoder().encodeToString(slice) + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    String target = "localhost:" + origin.port();
    String head =
        "POST http://"
            + target
            + "/upload HTTP/1.1\r\nHost: "
            + target
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    req.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    req.writeBytes(body);
    RawHttp.Response r = RawHttp.exchange(sluice.listener("out"), req.toByteArray(), WAIT);
    assertThat(r.raw().length == 0 || r.status() != 204).as("not delivered: %s", r).isTrue();
    assertThat(origin.uploaded()).as("bytes of the upload that arrived").isLessThan(body.length);
  }

  @Test
  @Order(6)
  void aTcpConnectionCarryingWeightsIsCut() throws Exception {
    CompletableFuture<Long> received = CompletableFuture.supplyAsync(DetectionEndToEndTest::sink);
    try (Socket client = new Socket()) {
      client.connect(sluice.listener("raw"), 5_000);
      OutputStream out = client.getOutputStream();
      try {
        out.write(RandomText.ascii(200_000)); // text first: it passes
        out.write(slice);
        out.flush();
        client.shutdownOutput();
      } catch (IOException cut) {
        // the gateway cut the connection
      }
      long got = received.get(60, TimeUnit.SECONDS);
      assertThat(got).as("bytes delivered").isLessThan(200_000L + SLICE);
      assertThat(readOrReset(client)).as("the client's side is closed").isEqualTo(-1);
    }
  }

  @Test
  @Order(7)
  void everyFindingIsLedgeredAndTheLedgerVerifies() throws Exception {
    sluice.close();
    sluice = null;
    List<JsonNode> found = ledger("detection");
    // A blocked stream stops at its first finding (whichever detector was first); a stream let
    // through with action: alert is reported once by each detector.
    assertThat(found)
        .extracting(e -> e.path("fields").path("listener").asText())
        .containsExactlyInAnyOrder("api", "api", "watch", "watch", "out", "raw");
    for (JsonNode e : found) {
      JsonNode f = e.path("fields");
      String kind = f.path("kind").asText();
      assertThat(kind).isIn("fingerprint", "tensor");
      if (kind.equals("fingerprint")) {
        assertThat(f.path("source").asText()).endsWith(RealModels.FP32);
      } else {
        assertThat(f.path("dtype").asText()).isEqualTo("F32");
      }
      boolean alert = f.path("listener").asText().equals("watch");
      assertThat(f.path("action").asText()).isEqualTo(alert ? "alert" : "block");
      assertThat(f.path("blocked").asLong()).isEqualTo(alert ? 0 : 1);
    }
    assertThat(found)
        .filteredOn(e -> e.path("fields").path("listener").asText().equals("watch"))
        .extracting(e -> e.path("fields").path("kind").asText())
        .containsExactlyInAnyOrder("fingerprint", "tensor");
    JsonNode upload =
        found.stream()
            .filter(e -> e.path("fields").path("listener").asText().equals("out"))
            .findFirst()
            .orElseThrow()
            .path("fields");
    assertThat(upload.has("lane") ? upload.path("lane").asText() : upload.path("carrier").asText())
        .as("the upload was seen through its base64: %s", upload)
        .isEqualTo("base64");
    SluiceCommand.Result verify =
        SluiceCommand.run(dir, "ledger", "verify", dir.resolve("data").toString());
    assertThat(verify.exitCode()).as(verify.describe()).isZero();
  }

  /** The entries of {@code type}, via {@code sluice ledger tail --json}. */
  private static List<JsonNode> ledger(String type) throws Exception {
    SluiceCommand.Result tail =
        SluiceCommand.run(
            dir, "ledger", "tail", dir.resolve("data").toString(), "-n", "100000", "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    List<JsonNode> out = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals(type)) {
        out.add(e);
      }
    }
    return out;
  }

  /** SSE events of the corpus answers, at least {@code min} bytes. */
  private static byte[] sseText(List<CorpusAnswers.Answer> answers, int min) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; out.size() < min; i++) {
      String a = answers.get(i % answers.size()).text();
      for (String word : a.split(" ")) {
        out.writeBytes(
            ("data: "
                    + JSON.writeValueAsString(JSON.createObjectNode().put("token", word + " "))
                    + "\n\n")
                .getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }

  /** The next byte, or -1 at the end of the stream or at a reset. */
  private static int readOrReset(Socket s) {
    try {
      return s.getInputStream().read();
    } catch (IOException reset) {
      return -1;
    }
  }

  /** Accepts one connection on the tcp sink and counts what arrives until it ends. */
  private static long sink() {
    long n = 0;
    try (Socket s = tcpSink.accept()) {
      InputStream in = s.getInputStream();
      byte[] buf = new byte[64 << 10];
      for (int r; (r = in.read(buf)) >= 0; ) {
        n += r;
      }
    } catch (IOException ended) {
      // a reset ends the count too
    }
    return n;
  }

  /** Printable text for the tcp test's innocent start. */
  private static final class RandomText {
    static byte[] ascii(int n) {
      java.util.Random r = new java.util.Random(42);
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) {
        b[i] = r.nextInt(7) == 0 ? (byte) ' ' : (byte) ('a' + r.nextInt(26));
      }
      return b;
    }
  }
}
