package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelBlastTest {

  @Test
  void sendsEveryByteOnEveryConnectionAndTimesTheLastClose() throws Exception {
    AtomicLong received = new AtomicLong();
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> sink(server, received), "test-sink");
      t.setDaemon(true);
      t.start();
      InetSocketAddress a = new InetSocketAddress("127.0.0.1", server.getLocalPort());
      ParallelBlast.Result r = ParallelBlast.blast(1_000_000, List.of(a, a, a));
      assertThat(r.connections()).isEqualTo(3);
      assertThat(r.totalBytes()).isEqualTo(3_000_000);
      assertThat(r.seconds()).isPositive();
      assertThat(r.perConnectionMibps()).hasSize(3);
      for (double m : r.perConnectionMibps()) {
        assertThat(m).isPositive();
      }
      // Each far end closed only after reading everything, and blast() waited for all three.
      assertThat(received.get()).isEqualTo(3_000_000);
    }
  }

  @Test
  void aRefusedTargetFails() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    InetSocketAddress closed = new InetSocketAddress("127.0.0.1", port);
    assertThatThrownBy(() -> ParallelBlast.blast(10, List.of(closed)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void parsesHostAndPort() {
    InetSocketAddress a = ParallelBlast.parse("127.0.0.1:8080");
    assertThat(a.getHostString()).isEqualTo("127.0.0.1");
    assertThat(a.getPort()).isEqualTo(8080);
    assertThatThrownBy(() -> ParallelBlast.parse("8080"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void sink(ServerSocket server, AtomicLong received) {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[1 << 16];
                try (s;
                    InputStream in = s.getInputStream()) {
                  int n;
                  while ((n = in.read(buf)) >= 0) {
                    received.addAndGet(n);
                  }
                } catch (IOException e) {
                  // the test failed elsewhere
                }
              },
              "test-sink-conn");
      t.setDaemon(true);
      t.start();
    }
  }
}
