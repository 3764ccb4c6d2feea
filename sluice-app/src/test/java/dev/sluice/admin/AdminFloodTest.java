package dev.sluice.admin;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, finding 1: idle connections that each sent one byte must not starve the admin API; the
 * kill switch answers under a connection flood.
 */
class AdminFloodTest {

  /** More idle connections than the old server had handler threads (four). */
  static final int IDLE = 16;

  @TempDir Path dataDir;
  AdminFixture f;
  final List<Socket> idle = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    f = new AdminFixture(dataDir);
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket s : idle) {
      s.close();
    }
    f.close();
  }

  @Test
  void idleConnectionsThatSentOneByteDoNotStarveHealthzOrHalt() throws Exception {
    InetSocketAddress admin = f.server.address();
    for (int i = 0; i < IDLE; i++) {
      Socket s = new Socket();
      s.connect(admin, 5_000);
      OutputStream out = s.getOutputStream();
      out.write('G');
      out.flush();
      idle.add(s);
    }
    String token = f.token();

    HttpResponse<String> health =
        CompletableFuture.supplyAsync(() -> call(() -> f.get("/healthz")))
            .get(10, TimeUnit.SECONDS);
    assertThat(health.statusCode()).isEqualTo(200);

    HttpResponse<String> halt =
        CompletableFuture.supplyAsync(
                () ->
                    call(
                        () ->
                            f.post(
                                "/api/halt",
                                "application/json",
                                "{\"reason\":\"flood\"}",
                                "Bearer " + token)))
            .get(10, TimeUnit.SECONDS);
    assertThat(halt.statusCode()).isEqualTo(200);
    assertThat(f.halts.active()).isNotEmpty();
  }

  /** The fixture again with {@code lines} added to its admin section. */
  void restartWith(String lines) throws Exception {
    f.close();
    f =
        new AdminFixture(
            dataDir,
            y ->
                y.replace(
                    "admin:\n  bind: 127.0.0.1:0\n", "admin:\n  bind: 127.0.0.1:0\n" + lines));
  }

  Socket connect() throws Exception {
    Socket s = new Socket();
    s.connect(f.server.address(), 5_000);
    s.setSoTimeout(10_000);
    idle.add(s);
    return s;
  }

  @Test
  void aSourceOverItsCapIsClosedAtAcceptAndCounted() throws Exception {
    restartWith("  max_connections_per_source: 3\n");
    for (int i = 0; i < 3; i++) {
      connect().getOutputStream().write('G');
    }
    Socket over = connect();
    assertThat(over.getInputStream().read()).as("closed at accept").isEqualTo(-1);

    idle.remove(0).close();
    // The server sees that close on its event loop; only then is this source under its cap again,
    // and a request made before would be refused (and counted) as well.
    dev.sluice.time.Clock clock = dev.sluice.time.Clock.system();
    long deadline = clock.nanos() + TimeUnit.SECONDS.toNanos(10);
    while (f.server.connections().open() > 2 && clock.nanos() - deadline < 0) {
      Thread.onSpinWait();
    }
    assertThat(f.server.connections().open()).as("the closed connection is gone").isEqualTo(2);
    HttpResponse<String> metrics =
        CompletableFuture.supplyAsync(() -> call(() -> f.get("/metrics")))
            .get(10, TimeUnit.SECONDS);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("sluice_admin_connections_closed_total{reason=\"per_source_cap\"} 1.0")
        .contains("sluice_admin_connections_per_source_max 3.0");
  }

  @Test
  void aRequestThatTricklesIsClosedAfterRequestTimeout() throws Exception {
    restartWith("  request_timeout: 200ms\n");
    Socket s = connect();
    s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(US_ASCII));
    assertThat(s.getInputStream().read()).as("closed by the server").isEqualTo(-1);
    assertThat(f.get("/metrics").body())
        .contains("sluice_admin_connections_closed_total{reason=\"request_timeout\"} 1.0");
  }

  @Test
  void aConnectionWithNoRequestIsClosedAfterIdleTimeout() throws Exception {
    restartWith("  idle_timeout: 200ms\n");
    Socket s = connect();
    assertThat(s.getInputStream().read()).as("closed by the server").isEqualTo(-1);
    assertThat(f.get("/metrics").body())
        .contains("sluice_admin_connections_closed_total{reason=\"idle_timeout\"} 1.0");
  }

  @FunctionalInterface
  interface Call<T> {
    T run() throws Exception;
  }

  static <T> T call(Call<T> c) {
    try {
      return c.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
