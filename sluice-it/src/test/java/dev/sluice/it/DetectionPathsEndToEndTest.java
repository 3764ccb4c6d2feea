package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import dev.sluice.detect.format.fixtures.RealModels;
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
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scan stage on the paths {@link DetectionEndToEndTest} leaves out (issue 17), against a real
 * {@code sluice run} (and a real {@code sluice edge}) with the index of the real all-MiniLM-L6-v2
 * float32 weights:
 *
 * <ul>
 *   <li>a tcp client that writes text and then weights small enough to be judged only at the end of
 *       its stream, and half-closes: nothing of the weights reaches the upstream, and the cut's
 *       {@code detection} entry is in the ledger by the time the upstream sees the connection end;
 *   <li>a clean half-closed tcp stream still arrives whole, and the FIN passes both ways;
 *   <li>tcp with {@code egress: client}: weights the upstream sends are cut;
 *   <li>forward request bodies sent with {@code Content-Encoding} gzip, deflate, zstd or br are
 *       scanned decoded and stopped;
 *   <li>a forward listener with {@code peer: edge}: a response carrying weights toward the edge is
 *       cut;
 *   <li>last, a cut's entry is on disk before the cut is seen: the gateway is killed (SIGKILL) the
 *       moment the upstream sees the cut connection end, and the ledger still has the entry.
 * </ul>
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DetectionPathsEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Inside the word-embedding matrix of the model, on a float boundary. */
  private static final long SLICE_AT = 20_000_000;

  private static final int SLICE = 1 << 20;

  /** Two tensor windows of text: the weights after it fill a window of their own. */
  private static final int TEXT = 2 * 128 * 1024;

  /** Weights judged only when the stream ends: less than one tensor window, after {@link #TEXT}. */
  private static final int TAIL = 64 * 1024;

  @TempDir static Path dir;
  private static byte[] slice;
  private static WeightsOrigin origin;
  private static ServerSocket sink;
  private static ServerSocket weightsUpstream;
  private static SluiceProcess sluice;
  private static EdgeProcess edge;

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
    origin = new WeightsOrigin(slice, new byte[0]);
    sink = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    weightsUpstream = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());

    String yaml =
        """
        site: it
        model: { name: minilm, weight_bytes: 90MB }
        mode: enforce
        time_zone: "%s"
        data_dir: "%s"
        detection: { index: "%s", tensors: true, action: block }
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              tenants:
                acme: {}
              unknown_destinations: allow
            tensors:
              detection: { index: none }
              tenants:
                solo: {}
        listeners:
          - name: half
            mode: tcp
            bind: "127.0.0.1:0"
            upstream: "127.0.0.1:%d"
            zone: tensors
            egress: upstream
            tenants_by_source: { "127.0.0.0/8": solo }
          - name: back
            mode: tcp
            bind: "127.0.0.1:0"
            upstream: "127.0.0.1:%d"
            zone: inference
            egress: client
            tenants_by_source: { "127.0.0.0/8": acme }
          - name: out
            mode: forward
            bind: "127.0.0.1:0"
            zone: inference
            deny_ranges: []
            tenants_by_source: { "127.0.0.0/8": acme }
          - name: edge-out
            mode: forward
            bind: "127.0.0.1:0"
            zone: inference
            peer: edge
            deny_ranges: []
            tenants_by_source: { "127.0.0.0/8": acme }
        admin: { bind: "127.0.0.1:0" }
        """
            .formatted(
                TestConfig.ZONE.getId(),
                dir.resolve("data"),
                index,
                sink.getLocalPort(),
                weightsUpstream.getLocalPort());
    Path config = Files.writeString(dir.resolve("sluice.yaml"), yaml);
    sluice = SluiceProcess.start(config, dir);
    edge = EdgeProcess.start(sluice.listener("edge-out"), dir, "edge");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {edge, sluice, origin, sink, weightsUpstream}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  @Test
  void aHalfClosedTcpStreamIsJudgedBeforeItsLastBytesLeave() throws Exception {
    byte[] tail = new byte[TAIL];
    System.arraycopy(slice, 0, tail, 0, TAIL);
    CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> count(sink));
    try (Socket client = new Socket()) {
      client.connect(sluice.listener("half"), 5_000);
      OutputStream out = client.getOutputStream();
      try {
        out.write(text(TEXT, 7));
        out.write(tail);
        out.flush();
        client.shutdownOutput(); // half-close: the gateway must judge the end before the tail
      } catch (IOException cut) {
        // the gateway cut the connection
      }
      long got = received.get(60, TimeUnit.SECONDS);
      assertThat(got).as("bytes the upstream received").isLessThanOrEqualTo(TEXT);
      // The upstream saw the end of the connection: the cut's entry is durable by now.
      List<JsonNode> found = detections("half");
      assertThat(found).as("the cut's detection entry, before the close").hasSize(1);
      JsonNode f = found.get(0).path("fields");
      assertThat(f.path("kind").asText()).isEqualTo("tensor");
      assertThat(f.path("blocked").asLong()).isEqualTo(1);
      assertThat(f.path("offset").asLong()).isGreaterThanOrEqualTo(TEXT);
      assertThat(readOrReset(client)).as("the client's side is closed").isEqualTo(-1);
    }
  }

  @Test
  void aCleanHalfClosedTcpStreamArrivesWholeAndItsEndPasses() throws Exception {
    byte[] text = text(300_000, 11);
    CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> count(sink));
    try (Socket client = new Socket()) {
      client.connect(sluice.listener("half"), 5_000);
      client.getOutputStream().write(text);
      client.shutdownOutput();
      assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(text.length);
      assertThat(readOrReset(client)).as("the upstream's end reached the client").isEqualTo(-1);
    }
  }

  @Test
  void tcpWithEgressClientCutsWeightsTheUpstreamSends() throws Exception {
    byte[] text = text(200_000, 13);
    CompletableFuture<Void> served =
        CompletableFuture.runAsync(
            () -> {
              try (Socket s = weightsUpstream.accept()) {
                OutputStream out = s.getOutputStream();
                out.write(text);
                out.write(slice);
                out.flush();
                s.shutdownOutput();
                s.getInputStream().transferTo(OutputStream.nullOutputStream());
              } catch (IOException cut) {
                // the gateway cut the connection
              }
            });
    long got;
    try (Socket client = new Socket()) {
      client.connect(sluice.listener("back"), 5_000);
      got = countAll(client.getInputStream());
    }
    served.get(60, TimeUnit.SECONDS);
    assertThat(got).as("bytes the client received").isLessThan(text.length + SLICE / 4);
    List<JsonNode> found = detections("back");
    assertThat(found).hasSize(1);
    assertThat(found.get(0).path("fields").path("offset").asLong())
        .isGreaterThanOrEqualTo(text.length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "deflate", "zstd", "br"})
  void forwardRequestBodiesAreScannedDecodedByTheirContentEncoding(String encoding)
      throws Exception {
    byte[] body = encode(encoding, slice);
    String target = "localhost:" + origin.port();
    String head =
        "POST http://"
            + target
            + "/upload HTTP/1.1\r\nHost: "
            + target
            + "\r\nContent-Type: application/octet-stream\r\nContent-Encoding: "
            + encoding
            + "\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    req.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    req.writeBytes(body);
    long before = origin.uploaded();
    int entriesBefore = detections("out").size();
    RawHttp.Response r = RawHttp.exchange(sluice.listener("out"), req.toByteArray(), WAIT);
    assertThat(r.raw().length == 0 || r.status() != 204).as("not delivered: %s", r).isTrue();
    assertThat(origin.uploaded() - before)
        .as("bytes of the %s upload that arrived", encoding)
        .isLessThan(body.length);
    List<JsonNode> found = detections("out");
    assertThat(found).hasSize(entriesBefore + 1);
    assertThat(found.get(found.size() - 1).path("fields").path("lane").asText())
        .as("seen decoded")
        .startsWith(encoding.equals("deflate") ? "deflate" : encoding);
  }

  @Test
  void aForwardEdgeStreamCarryingWeightsIsCut() throws Exception {
    String target = "localhost:" + origin.port();
    byte[] get =
        ("GET http://"
                + target
                + "/weights HTTP/1.1\r\nHost: "
                + target
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    RawHttp.Response r = RawHttp.exchange(edge.address(), get, WAIT);
    assertThat(r.complete()).as("cut, not ended: %s", r).isFalse();
    assertThat(r.raw().length).as("the weights did not reach the client").isLessThan(SLICE / 4);
    List<JsonNode> found = detections("edge-out");
    assertThat(found).hasSize(1);
    assertThat(found.get(0).path("fields").path("blocked").asLong()).isEqualTo(1);
  }

  @Test
  @Order(Integer.MAX_VALUE) // kills the gateway: runs last
  void aCutsEntryIsDurableBeforeTheCutIsSeen() throws Exception {
    int before = detections("half").size();
    CompletableFuture<Long> received =
        CompletableFuture.supplyAsync(
            () -> {
              long n = count(sink);
              try {
                sluice.kill9(); // at once: what the gateway had not made durable is lost
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return n;
            });
    try (Socket client = new Socket()) {
      client.connect(sluice.listener("half"), 5_000);
      OutputStream out = client.getOutputStream();
      try {
        out.write(text(200_000, 17));
        out.write(slice); // found mid-stream, by the tensor detector
        out.flush();
        client.shutdownOutput();
      } catch (IOException cut) {
        // the gateway cut the connection
      }
      assertThat(received.get(60, TimeUnit.SECONDS)).isLessThan(200_000L + SLICE);
    }
    assertThat(detections("half")).as("the cut's entry survived the kill").hasSize(before + 1);
  }

  private static byte[] encode(String encoding, byte[] data) throws IOException {
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    switch (encoding) {
      case "gzip" -> {
        try (GZIPOutputStream g = new GZIPOutputStream(z)) {
          g.write(data);
        }
      }
      case "deflate" -> {
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
          d.write(data);
        }
      }
      case "zstd" -> z.writeBytes(Zstd.compress(data, 3));
      case "br" -> {
        Brotli4jLoader.ensureAvailability();
        z.writeBytes(Encoder.compress(data));
      }
      default -> throw new IllegalArgumentException(encoding);
    }
    return z.toByteArray();
  }

  /** The detection entries of {@code listener} so far, via {@code sluice ledger tail --json}. */
  private static List<JsonNode> detections(String listener) throws Exception {
    SluiceCommand.Result tail =
        SluiceCommand.run(
            dir, "ledger", "tail", dir.resolve("data").toString(), "-n", "100000", "--json");
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    List<JsonNode> out = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      JsonNode e = JSON.readTree(line);
      if (e.path("type").asText().equals("detection")
          && e.path("fields").path("listener").asText().equals(listener)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Accepts one connection on {@code server}, counts what arrives until it ends, closes it. */
  private static long count(ServerSocket server) {
    try (Socket s = server.accept()) {
      return countAll(s.getInputStream());
    } catch (IOException e) {
      return -1;
    }
  }

  private static long countAll(InputStream in) {
    long n = 0;
    byte[] buf = new byte[64 << 10];
    try {
      for (int r; (r = in.read(buf)) >= 0; ) {
        n += r;
      }
    } catch (IOException reset) {
      // a reset ends the count too
    }
    return n;
  }

  /** The next byte, or -1 at the end of the stream or at a reset. */
  private static int readOrReset(Socket s) {
    try {
      return s.getInputStream().read();
    } catch (IOException reset) {
      return -1;
    }
  }

  /** Seeded printable text: words of lower-case letters. */
  private static byte[] text(int n, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = r.nextInt(7) == 0 ? (byte) ' ' : (byte) ('a' + r.nextInt(26));
    }
    return b;
  }
}
