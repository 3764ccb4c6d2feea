package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 finding 5 against a real {@code sluice run} with the default configuration: connections
 * that send half a request head and then nothing are answered {@code 408} and closed once the
 * default {@code timeouts.request_head} (10 s) has passed, and {@code /metrics} counts them. Before
 * the fix they stayed open for as long as the client wanted (100 s and more). Each socket waits at
 * most 30 s for the gateway to close it.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowHeadersTest {

  private static final int CONNECTIONS = 50;

  @TempDir Path dir;
  private SluiceProcess sluice;
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    if (sluice != null) {
      sluice.close();
    }
  }

  @Test
  void halfSentHeadsAreAnswered408AndClosedByDefault() throws Exception {
    Path config =
        TestConfig.in(dir.resolve("data"))
            .tenant("acme", "day", "20MB")
            .reverse("api", "http://127.0.0.1:9")
            .write(dir.resolve("sluice.yaml"));
    sluice = SluiceProcess.start(config, dir);
    InetSocketAddress api = sluice.listener("api");
    for (int i = 0; i < CONNECTIONS; i++) {
      Socket s = new Socket();
      sockets.add(s);
      s.connect(api, 5_000);
      s.setSoTimeout(30_000);
      s.getOutputStream()
          .write(
              "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nX-Ten"
                  .getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }
    for (Socket s : sockets) {
      assertThat(readToClose(s.getInputStream()))
          .startsWith("HTTP/1.1 408 Request Timeout\r\n")
          .contains("\"type\":\"request_head_timeout\"");
    }
    String metrics = new AdminApi(sluice).metrics();
    assertThat(
            AdminApi.metric(
                metrics,
                "sluice_connections_closed_total{listener=\"api\",reason=\"request_head_timeout\"}"))
        .isEqualTo(CONNECTIONS);
  }

  /** Everything until the gateway closes; a read timeout (the gateway kept it open) fails. */
  private static String readToClose(InputStream in) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    try {
      while ((n = in.read(buf)) >= 0) {
        b.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("still open after 30 s; received: " + b, e);
    }
    return b.toString(StandardCharsets.US_ASCII);
  }
}
