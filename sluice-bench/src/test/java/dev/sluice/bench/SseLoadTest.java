package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseLoadTest {

  private static final long HEADER_TO_BODY_MS = 60;

  @Test
  void percentileIsNearestRank() {
    long[] v = new long[100];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 1;
    }
    assertThat(SseLoad.pct(v, 50)).isEqualTo(50);
    assertThat(SseLoad.pct(v, 99)).isEqualTo(99);
    assertThat(SseLoad.pct(new long[] {7}, 99)).isEqualTo(7);
    assertThat(SseLoad.pct(new long[0], 50)).isNaN();
  }

  /**
   * A server that sends the headers at once and the first event only later: time to first byte is
   * the body's, streams follow each other on one keep-alive connection, bodies are de-chunked.
   */
  @Test
  void measuresTheFirstBodyByteOverKeepAlive() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> serve(server), "test-sse-server");
      t.setDaemon(true);
      t.start();
      URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");

      List<SseLoad.Stream> streams = SseLoad.run(url, 1, 0.3, 2, 0);

      assertThat(streams).hasSizeGreaterThanOrEqualTo(2);
      for (SseLoad.Stream s : streams) {
        assertThat(s.error()).isNull();
        assertThat(s.ttfbNanos() / 1_000_000).isGreaterThanOrEqualTo(HEADER_TO_BODY_MS - 5);
        assertThat(s.totalNanos()).isGreaterThanOrEqualTo(s.ttfbNanos());
        assertThat(s.bodyBytes()).isEqualTo(("data: a\n\n" + "data: [DONE]\n\n").length());
      }
      assertThat(streams.get(0).newConnection()).isTrue();
      assertThat(streams.subList(1, streams.size())).allMatch(s -> !s.newConnection());
    }
  }

  private static void serve(ServerSocket server) {
    try (Socket s = server.accept()) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      while (true) {
        int length = 0;
        String line = in.readLine();
        if (line == null) {
          return;
        }
        for (; !line.isEmpty(); line = in.readLine()) {
          if (line.toLowerCase().startsWith("content-length:")) {
            length = Integer.parseInt(line.substring(15).trim());
          }
        }
        in.skip(length);
        out.write(
            ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(HEADER_TO_BODY_MS);
        out.write(chunk("data: a\n\n"));
        out.flush();
        out.write(chunk("data: [DONE]\n\n"));
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the test is over
    }
  }

  private static byte[] chunk(String data) {
    byte[] d = data.getBytes(StandardCharsets.UTF_8);
    return (Integer.toHexString(d.length) + "\r\n" + data + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }
}
