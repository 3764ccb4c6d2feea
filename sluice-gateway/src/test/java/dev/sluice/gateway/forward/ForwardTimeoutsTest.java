package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 finding 5 on a forward listener: a request head that does not arrive in time (408), a
 * source over its cap (429), a destination that does not connect or does not answer in time (504)
 * and a quiet CONNECT tunnel (closed) each end the connection, counted and recorded. The embedded
 * cases advance the event loop's frozen time; the socket cases use timeouts of a few hundred
 * milliseconds and wait, bounded, for the gateway to close the connection.
 */
class ForwardTimeoutsTest {

  @TempDir Path dir;
  ForwardFixture proxy;
  TestOrigin origin;
  final List<Socket> held = new ArrayList<>();

  private static final Map<String, List<InetAddress>> NAMES =
      Map.of("api.partner.example", List.of(ForwardFixture.loopback()));

  @AfterEach
  void tearDown() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    if (origin != null) {
      origin.close();
    }
    for (Socket s : held) {
      s.close();
    }
  }

  private static String written(EmbeddedChannel ch) {
    StringBuilder s = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      if (o instanceof ByteBuf b) {
        s.append(b.toString(StandardCharsets.UTF_8));
        b.release();
      }
    }
    return s.toString();
  }

  private static void settle(EmbeddedChannel ch) throws InterruptedException {
    for (int i = 0; i < 400 && ch.isOpen(); i++) {
      ch.runPendingTasks();
      Thread.sleep(5);
    }
  }

  @Test
  void aHalfSentRequestHeadIsAnswered408AndClosed() throws Exception {
    try (ListenerFixture f =
        new ListenerFixture(dir, "forward", "enforce", "timeouts: { request_head: 2s }\n")) {
      EmbeddedChannel ch = ForwardChannels.client(f, new ArrayList<>());
      ch.freezeTime();
      ch.writeInbound(
          Unpooled.copiedBuffer(
              "GET http://api.example/ HTTP/1.1\r\nHo", StandardCharsets.US_ASCII));
      ch.advanceTimeBy(1900, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      assertThat(ch.isOpen()).isTrue();
      ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
      ch.runScheduledPendingTasks();
      settle(ch);
      assertThat(ch.isOpen()).isFalse();
      assertThat(written(ch))
          .startsWith("HTTP/1.1 408 Request Timeout\r\n")
          .contains("request_head_timeout");
      assertThat(f.stats.listener("forward").closed().get("request_head_timeout").sum())
          .isEqualTo(1);
      List<LedgerEntry> connections = f.closeAndRead(EntryType.CONNECTION);
      assertThat(connections).hasSize(1);
      assertThat(connections.get(0).getString("reason")).isEqualTo("request_head_timeout");
    }
  }

  @Test
  void aSourceOverItsCapIsAnswered429AndClosed() throws Exception {
    try (ListenerFixture f =
        new ListenerFixture(dir, "forward", "enforce", "connection_limits: { per_source: 1 }\n")) {
      ConnectionCaps caps = new ConnectionCaps(1, 1024);
      EmbeddedChannel first = ForwardChannels.client(f, new ArrayList<>(), caps);
      EmbeddedChannel second = ForwardChannels.client(f, new ArrayList<>(), caps);
      settle(second);
      assertThat(first.isOpen()).isTrue();
      assertThat(second.isOpen()).isFalse();
      assertThat(written(second))
          .startsWith("HTTP/1.1 429 Too Many Requests\r\n")
          .contains("source_connection_limit");
      first.close();
      assertThat(caps.openFrom(InetAddress.getByName("10.1.2.3"))).isZero();
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies)
          .extracting(e -> e.getString("reason"))
          .containsExactly("source_connection_limit");
    }
  }

  @Test
  void aQuietTunnelIsClosedOnBothSides() throws Exception {
    origin = TestOrigin.echo();
    proxy =
        new ForwardFixture(
            dir.resolve("data"),
            new ForwardFixture.Yaml()
                .listener("    deny_ranges: []\n    timeouts: { tunnel_idle: 300ms }\n"),
            NAMES);
    String authority = "api.partner.example:" + origin.port();
    try (RawClient c = new RawClient(proxy.port())) {
      c.send("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
      c.send("ping");
      assertThat(new String(c.in().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
      assertThat(c.readToClose()).isEmpty(); // then nothing either way: the gateway closes
    }
    assertThat(origin.awaitAllClosed()).isTrue();
    assertThat(proxy.stats().listener("out").closed().get("tunnel_idle_timeout").sum())
        .isEqualTo(1);
    List<LedgerEntry> connections = proxy.closeAndRead(EntryType.CONNECTION);
    assertThat(connections).hasSize(1);
    assertThat(connections.get(0).getString("reason")).isEqualTo("tunnel_idle_timeout");
  }

  @Test
  void aDestinationThatDoesNotAnswerIsAnswered504() throws Exception {
    // Accepted by the kernel (the backlog) and never read: connected, but no response comes.
    ServerSocket silent = new ServerSocket(0, 50, ForwardFixture.loopback());
    try (silent) {
      proxy =
          new ForwardFixture(
              dir.resolve("data"),
              new ForwardFixture.Yaml()
                  .listener("    deny_ranges: []\n    timeouts: { upstream_first_byte: 300ms }\n"),
              NAMES);
      String authority = "api.partner.example:" + silent.getLocalPort();
      String response =
          RawClient.exchange(
              proxy.port(),
              "GET http://" + authority + "/ HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
      assertThat(response)
          .startsWith("HTTP/1.1 504 Gateway Timeout\r\n")
          .contains("upstream_first_byte_timeout");
      assertThat(proxy.stats().listener("out").closed().get("upstream_first_byte_timeout").sum())
          .isEqualTo(1);
      List<LedgerEntry> connections = proxy.closeAndRead(EntryType.CONNECTION);
      assertThat(connections.get(0).getString("reason")).isEqualTo("upstream_first_byte_timeout");
    }
  }

  @Test
  void aDestinationThatDoesNotAcceptIsAnswered504() throws Exception {
    // A listening socket whose accept queue is full drops further SYNs: connecting hangs.
    ServerSocket full = new ServerSocket(0, 1, ForwardFixture.loopback());
    try (full) {
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket();
        held.add(s);
        try {
          s.connect(new InetSocketAddress(ForwardFixture.loopback(), full.getLocalPort()), 200);
        } catch (IOException e) {
          break; // the queue is full
        }
      }
      proxy =
          new ForwardFixture(
              dir.resolve("data"),
              new ForwardFixture.Yaml()
                  .listener("    deny_ranges: []\n    timeouts: { upstream_connect: 300ms }\n"),
              NAMES);
      String authority = "api.partner.example:" + full.getLocalPort();
      String response =
          RawClient.exchange(
              proxy.port(),
              "GET http://" + authority + "/ HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
      assertThat(response)
          .startsWith("HTTP/1.1 504 Gateway Timeout\r\n")
          .contains("upstream_connect_timeout");
      assertThat(proxy.stats().listener("out").closed().get("upstream_connect_timeout").sum())
          .isEqualTo(1);
    }
  }
}
