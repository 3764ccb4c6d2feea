package dev.sluice.admin;

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
