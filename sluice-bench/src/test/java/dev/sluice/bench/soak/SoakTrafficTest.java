package dev.sluice.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.soak.Exchanges.Outcome;
import dev.sluice.time.Clock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak's accounting without a gateway in between: each exchange straight to the origin or sink
 * must tally exactly the bytes that crossed the socket toward the side that counts them, or the
 * invariants of bench/soak.sh would compare the caps with the wrong figures.
 */
class SoakTrafficTest {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Tally delivered = new Tally();
  private SoakOrigin origin;
  private SoakSink sink;
  private InetSocketAddress originAddress;
  private InetSocketAddress sinkAddress;

  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    origin = new SoakOrigin(0, delivered, pool);
    sink = new SoakSink(0, delivered, pool);
    origin.start();
    sink.start();
    originAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), origin.port());
    sinkAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), sink.port());
  }

  @AfterEach
  void stop() throws Exception {
    origin.close();
    sink.close();
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aKnownLengthResponseTalliesItsHeadAndBody() {
    Exchanges ex = new Exchanges(delivered, origin.port(), sink.port());
    assertThat(ex.reverse(originAddress, "alpha", false, 100_000)).isEqualTo(Outcome.OK);
    String head =
        "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\nContent-Type: application/octet-stream\r\n"
            + "X-Soak: origin\r\nConnection: close\r\n\r\n";
    assertThat(delivered.snapshot())
        .containsExactly(java.util.Map.entry("alpha", 100_000L + head.length()));
  }

  @Test
  void anSseStreamEndsWithItsLastChunkAndIsTalliedWhole() {
    Exchanges ex = new Exchanges(delivered, origin.port(), sink.port());
    assertThat(ex.reverse(originAddress, "beta", true, 10_000)).isEqualTo(Outcome.OK);
    // 10 events of 1,008 bytes, each in a chunk with a 5-byte size line and CRLF, then 0 CRLF CRLF
    long head =
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/event-stream"
                + "\r\nX-Soak: origin\r\nConnection: close\r\n\r\n")
            .length();
    assertThat(delivered.snapshot().get("beta")).isEqualTo(head + 10 * (5 + 1008 + 2) + 5);
  }

  @Test
  void anAnswerWithoutTheOriginsMarkIsTheGatewaysNotTheTenants() throws Exception {
    try (ServerSocket gateway = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      pool.execute(
          () -> {
            try (Socket s = gateway.accept()) {
              Wire.readHead(s.getInputStream());
              s.getOutputStream()
                  .write(
                      "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\n\r\nno"
                          .getBytes(StandardCharsets.US_ASCII));
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
      Exchanges ex = new Exchanges(delivered, origin.port(), sink.port());
      Outcome o =
          ex.reverse(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), gateway.getLocalPort()),
              "gamma",
              false,
              1_000);
      assertThat(o).isEqualTo(Outcome.REFUSED);
    }
    assertThat(delivered.snapshot()).containsOnlyKeys(Exchanges.GATEWAY);
  }

  @Test
  void anUploadAndATunnelAreTalliedWhereTheyArrive() throws Exception {
    Exchanges ex = new Exchanges(delivered, origin.port(), sink.port());
    // the origin takes an absolute URI as a forward listener would pass it on
    assertThat(ex.forwardPost(originAddress, "fwd", 50_000)).isEqualTo(Outcome.OK);
    assertThat(ex.tcp(sinkAddress, "bulk", 70_000)).isEqualTo(Outcome.OK);
    Clock clock = Clock.system();
    long deadline = clock.nanos() + TimeUnit.SECONDS.toNanos(10);
    while (sink.openConnections() > 0 && clock.nanos() < deadline) {
      Thread.sleep(
          1); // bounded polling: the sink counts before it closes, this waits for its close
    }
    String post =
        "POST http://localhost:"
            + origin.port()
            + "/up/fwd HTTP/1.1\r\nHost: localhost:"
            + origin.port()
            + "\r\n"
            + Exchanges.proxyAuthorization("fwd")
            + "Content-Length: 50000\r\nConnection: close\r\n\r\n";
    assertThat(delivered.snapshot())
        .containsEntry("fwd", 50_000L + post.length())
        .containsEntry("bulk", 70_000L + "bulk\n".length());
    Path file = dir.resolve("delivered.tsv");
    delivered.writeTo(file);
    assertThat(Files.readAllLines(file))
        .containsExactly("bulk\t" + (70_000 + 5), "fwd\t" + (50_000 + post.length()));
  }
}
