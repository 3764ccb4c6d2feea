package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 3, end to end: a client pushing 64 KiB writes as fast as it can through a real
 * {@code sluice run}'s {@code tcp} listener (egress toward the upstream) with a 200,000-byte day
 * cap and the default escrow chunks. The upstream receives every byte of the cap, not one more, and
 * only then is the connection cut.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TcpFastWriterTest {
  private static final long CAP = 200_000;

  @TempDir Path dir;
  private SluiceProcess sluice;
  private ServerSocket upstream;

  @AfterEach
  void stop() throws IOException {
    if (sluice != null) {
      sluice.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void aFastClientGetsEveryByteOfTheCapThroughBeforeTheCut() throws Exception {
    upstream = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> sink(upstream));
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, yaml(upstream.getLocalPort()), StandardCharsets.UTF_8);
    sluice = SluiceProcess.start(config, dir);
    InetSocketAddress listener = sluice.listener("tcp");

    long sent = 0;
    try (Socket client = new Socket()) {
      client.connect(listener, 5_000);
      OutputStream out = client.getOutputStream();
      byte[] chunk = new byte[64 << 10];
      try {
        for (int i = 0; i < 8; i++) { // 524,288 bytes: well over the cap
          out.write(chunk);
          out.flush();
          sent += chunk.length;
        }
      } catch (IOException cut) {
        // the gateway cut the connection once the cap was spent
      }
      assertThat(received.get(60, TimeUnit.SECONDS))
          .as("bytes delivered of the cap")
          .isEqualTo(CAP);
    }
    assertThat(sent).isGreaterThan(CAP);

    // The connection's record: every byte charged was delivered, and the cut came at the cap.
    String line = connectionLine();
    assertThat(line).contains(" bytes_out=200000 ", " charged=200000 ");
    assertThat(line).contains(" decision=cut reason=egress_budget_exhausted ");
  }

  /** The {@code sluice.connection} line of the one connection, once the node has logged it. */
  private String connectionLine() throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      for (String l : sluice.stderr().split("\n")) {
        if (l.contains("sluice.connection") && l.contains("listener=tcp")) {
          return l;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no connection line in\n" + sluice.stderr());
  }

  /** Accepts one connection and counts what arrives until it ends. */
  private static long sink(ServerSocket server) {
    long n = 0;
    try (Socket s = server.accept()) {
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

  private String yaml(int upstreamPort) {
    return """
        site: it
        model: { name: it-model, weight_bytes: 10GB }
        mode: enforce
        time_zone: "%s"
        data_dir: "%s"
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              limits: [ { window: day, cap: 500MB } ]
              tenants:
                stream: { limits: [ { window: day, cap: %d } ] }
        listeners:
          - name: tcp
            mode: tcp
            bind: 127.0.0.1:0
            upstream: "127.0.0.1:%d"
            zone: inference
            egress: upstream
            tenants_by_source: { "127.0.0.0/8": stream }
        admin: { bind: 127.0.0.1:0 }
        """
        .formatted(TestConfig.ZONE.getId(), dir.resolve("data"), CAP, upstreamPort);
  }
}
