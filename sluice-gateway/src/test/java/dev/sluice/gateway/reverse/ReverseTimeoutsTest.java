package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 finding 5 on a reverse listener: connections that never finish their request head, that
 * idle between requests, whose upstream never answers, and that exceed the source or tenant cap are
 * closed, answered where HTTP allows, counted and recorded. Time is the embedded event loop's,
 * frozen and advanced by the test ({@code advanceTimeBy}): no sleep decides when a timer fires.
 */
class ReverseTimeoutsTest {

  @TempDir Path dir;

  private static final String TIMEOUTS =
      "timeouts: { request_head: 2s, idle: 5s, upstream_first_byte: 30s }\n";

  /**
   * An accepted connection from {@code host}, set up by the listener itself (its real pipeline).
   */
  private static EmbeddedChannel accept(ReverseListener l, String host, int port, EventLoop loop) {
    EmbeddedChannel ch =
        new EmbeddedChannel() {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(host, port);
          }

          @Override
          public EventLoop eventLoop() {
            return loop == null ? super.eventLoop() : loop;
          }
        };
    ch.freezeTime(); // the loop's time moves only when the test advances it
    l.init(ch);
    ch.pipeline().fireChannelActive();
    return ch;
  }

  private static EmbeddedChannel accept(ReverseListener l, String host, int port) {
    return accept(l, host, port, null);
  }

  private static void send(EmbeddedChannel ch, String text) {
    ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
  }

  /** Bounded polling for work handed between threads (escrow grants complete on the store's). */
  private static void settle(BooleanSupplier done, EmbeddedChannel... chs) throws Exception {
    for (int i = 0; i < 400 && !done.getAsBoolean(); i++) {
      for (EmbeddedChannel c : chs) {
        c.runPendingTasks();
      }
      Thread.sleep(5);
    }
  }

  private static void advance(EmbeddedChannel ch, long millis) {
    ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    ch.runScheduledPendingTasks();
    ch.runPendingTasks();
  }

  /** The finding itself: 200 connections that sent half a request head. */
  @Test
  void halfSentRequestHeadsAreAnswered408AndClosedAfterTheHeadTimeout() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce", TIMEOUTS)) {
      ReverseListener l = new ReverseListener(f.lc, null, null);
      List<EmbeddedChannel> chs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        EmbeddedChannel ch = accept(l, "10.1.2." + (i % 100), 40000 + i);
        send(ch, "POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\nX-Ten");
        chs.add(ch);
      }
      for (EmbeddedChannel ch : chs) {
        advance(ch, 1900);
      }
      assertThat(chs).allMatch(EmbeddedChannel::isOpen);
      assertThat(chs).allMatch(ch -> ch.outboundMessages().isEmpty());

      for (EmbeddedChannel ch : chs) {
        advance(ch, 100);
      }
      settle(
          () -> chs.stream().noneMatch(EmbeddedChannel::isOpen),
          chs.toArray(new EmbeddedChannel[0]));
      for (EmbeddedChannel ch : chs) {
        assertThat(ch.isOpen()).isFalse();
        assertThat(ReverseProxyHandlerTest.written(ch))
            .startsWith("HTTP/1.1 408 Request Timeout\r\n")
            .contains("request_head_timeout");
      }
      assertThat(f.stats.listener("reverse").closed().get("request_head_timeout").sum())
          .isEqualTo(200);
      List<LedgerEntry> connections = f.closeAndRead(EntryType.CONNECTION);
      assertThat(connections).hasSize(200);
      assertThat(connections)
          .allMatch(e -> e.getString("reason").equals("request_head_timeout"))
          .allMatch(e -> e.getString("decision").equals("deny"));
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAfterTheHeadTimeoutToo() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce", TIMEOUTS)) {
      EmbeddedChannel ch = accept(new ReverseListener(f.lc, null, null), "10.1.2.3", 40000);
      advance(ch, 2000);
      settle(() -> !ch.isOpen(), ch);
      assertThat(ch.isOpen()).isFalse();
      assertThat(ReverseProxyHandlerTest.written(ch)).startsWith("HTTP/1.1 408 ");
    }
  }

  @Test
  void aRequestBodyThatStopsArrivingIsAnswered408() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce", TIMEOUTS)) {
      EmbeddedChannel ch = accept(new ReverseListener(f.lc, null, null), "10.1.2.3", 40000);
      send(ch, "POST /v1/chat HTTP/1.1\r\nHost: gw\r\nX-Tenant: default\r\n");
      send(ch, "Content-Length: 100\r\n\r\n{\"model\":");
      advance(ch, 1500);
      send(ch, "\"m\","); // each part re-arms the clock: the body may take longer than 2 s
      advance(ch, 1500);
      send(ch, "\"messages\":");
      advance(ch, 1900);
      assertThat(ch.isOpen()).isTrue();
      advance(ch, 100); // then a pause of 2 s
      settle(() -> !ch.isOpen(), ch);
      assertThat(ch.isOpen()).isFalse();
      assertThat(ReverseProxyHandlerTest.written(ch))
          .startsWith("HTTP/1.1 408 Request Timeout\r\n")
          .contains("request_body_timeout");
      assertThat(f.stats.listener("reverse").closed().get("request_body_timeout").sum())
          .isEqualTo(1);
    }
  }

  @Test
  void aKeepAliveConnectionWithoutARequestIsClosedAfterTheIdleTimeout() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce", TIMEOUTS)) {
      f.spendAll("small"); // answered 429 by the gateway itself, and the connection kept
      EmbeddedChannel ch = accept(new ReverseListener(f.lc, null, null), "10.1.2.3", 40000);
      send(ch, "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: small\r\n\r\n");
      settle(() -> ReverseProxyHandlerTest.written(ch).startsWith("HTTP/1.1 429"), ch);

      advance(ch, 4900); // longer than the head timeout: the idle clock runs, not the head's
      assertThat(ch.isOpen()).isTrue();
      advance(ch, 100);
      settle(() -> !ch.isOpen(), ch);
      assertThat(ch.isOpen()).isFalse();
      assertThat(ReverseProxyHandlerTest.written(ch)).isEmpty(); // closed without an answer
      assertThat(f.stats.listener("reverse").closed().get("idle_timeout").sum()).isEqualTo(1);
    }
  }

  @Test
  void aNewRequestOnAKeepAliveConnectionGetsTheHeadTimeoutFromItsFirstByte() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce", TIMEOUTS)) {
      f.spendAll("small");
      EmbeddedChannel ch = accept(new ReverseListener(f.lc, null, null), "10.1.2.3", 40000);
      send(ch, "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: small\r\n\r\n");
      settle(() -> ReverseProxyHandlerTest.written(ch).startsWith("HTTP/1.1 429"), ch);
      advance(ch, 3000);
      send(ch, "GET /v1/mo");
      advance(ch, 1900);
      assertThat(ch.isOpen()).isTrue();
      advance(ch, 100);
      settle(() -> !ch.isOpen(), ch);
      assertThat(ReverseProxyHandlerTest.written(ch)).startsWith("HTTP/1.1 408 ");
    }
  }

  @Test
  void anUpstreamThatDoesNotStartItsResponseIsAnswered504() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce", TIMEOUTS)) {
      UpstreamPool pool = new UpstreamPool();
      UpstreamTargets.Target target = new UpstreamTargets(f.lc.config().upstreams()).next();
      EmbeddedChannel upstream = new EmbeddedChannel();
      upstream.freezeTime(); // the client's loop too
      upstream.pipeline().addLast(Stages.RELAY, new UpstreamHandler(null, pool, target));
      pool.release(upstream, target);
      EmbeddedChannel ch = ReverseProxyHandlerTest.client(upstream.eventLoop());
      ConnectionRecord record = f.record();
      ReverseProxyHandler proxy = ReverseProxyHandlerTest.install(ch, f, pool, record);
      send(ch, "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: default\r\n\r\n");
      settle(() -> proxy.phase() == ExchangePhase.AWAITING, ch, upstream);
      FullHttpRequest sent = upstream.readOutbound();
      sent.release();

      advance(upstream, 29_900); // the client's loop is the upstream's
      assertThat(proxy.phase()).isEqualTo(ExchangePhase.AWAITING);
      advance(upstream, 100);
      settle(() -> !ch.isOpen(), ch, upstream);

      assertThat(ch.isOpen()).isFalse();
      assertThat(upstream.isOpen()).isFalse();
      assertThat(ReverseProxyHandlerTest.written(ch))
          .startsWith("HTTP/1.1 504 Gateway Timeout\r\n")
          .contains("upstream_first_byte_timeout");
      assertThat(record.reason()).isEqualTo("upstream_first_byte_timeout");
      assertThat(f.stats.listener("reverse").closed().get("upstream_first_byte_timeout").sum())
          .isEqualTo(1);
    }
  }

  @Test
  void anUpstreamThatDoesNotAcceptIsReportedAsAConnectTimeout() throws Exception {
    // A listening socket whose accept queue is full drops further SYNs: connecting hangs.
    List<Socket> held = new ArrayList<>();
    EventLoopGroup group = Transport.nio().newGroup(1);
    try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ListenerFixture f =
            new ListenerFixture(
                dir, "reverse", "enforce", "timeouts: { upstream_connect: 300ms }\n")) {
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket();
        held.add(s);
        try {
          s.connect(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
        } catch (IOException e) {
          break; // the queue is full
        }
      }
      UpstreamTargets targets =
          new UpstreamTargets(List.of("http://127.0.0.1:" + full.getLocalPort()));
      UpstreamDialer dialer = new UpstreamDialer(f.lc, targets, new UpstreamPool(), null);
      AtomicReference<EventLoop> real = new AtomicReference<>();
      EmbeddedChannel client =
          new EmbeddedChannel() {
            @Override
            public EventLoop eventLoop() {
              // Its own loop while it registers; then a real one, where the dial opens a socket.
              return real.get() == null ? super.eventLoop() : real.get();
            }
          };
      real.set(group.next());
      CompletableFuture<String> outcome = new CompletableFuture<>();
      dialer.dial(
          client,
          null,
          0,
          targets.next(),
          new UpstreamDialer.Result() {
            @Override
            public void connected(Channel upstream, UpstreamTargets.Target target) {
              upstream.close();
              outcome.complete("connected");
            }

            @Override
            public void clientGone() {
              outcome.complete("client gone");
            }

            @Override
            public void unavailable(boolean timedOut) {
              outcome.complete(timedOut ? "timed out" : "refused");
            }
          });
      assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("timed out");
      client.finishAndReleaseAll();
    } finally {
      for (Socket s : held) {
        s.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Test
  void connectionsOverThePerSourceCapAreAnswered429AndClosed() throws Exception {
    try (ListenerFixture f =
        new ListenerFixture(dir, "reverse", "enforce", "connection_limits: { per_source: 2 }\n")) {
      ReverseListener l = new ReverseListener(f.lc, null, null);
      EmbeddedChannel a = accept(l, "10.1.2.3", 40000);
      EmbeddedChannel b = accept(l, "10.1.2.3", 40001);
      EmbeddedChannel other = accept(l, "10.1.2.4", 40000);
      EmbeddedChannel c = accept(l, "10.1.2.3", 40002);
      settle(() -> !c.isOpen(), c);
      assertThat(a.isOpen() && b.isOpen() && other.isOpen()).isTrue();
      assertThat(c.isOpen()).isFalse();
      assertThat(ReverseProxyHandlerTest.written(c))
          .startsWith("HTTP/1.1 429 Too Many Requests\r\n")
          .contains("source_connection_limit");

      a.close(); // its slot is given back
      EmbeddedChannel d = accept(l, "10.1.2.3", 40003);
      assertThat(d.isOpen()).isTrue();
      assertThat(f.stats.listener("reverse").closed().get("source_connection_limit").sum())
          .isEqualTo(1);
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).extracting(e -> e.getString("reason")).contains("source_connection_limit");
    }
  }

  @Test
  void connectionsOverThePerTenantCapAreAnswered429AndClosed() throws Exception {
    try (ListenerFixture f =
        new ListenerFixture(dir, "reverse", "enforce", "connection_limits: { per_tenant: 1 }\n")) {
      f.spendAll("small"); // the first connection is answered 429 and kept: it holds its slot
      ReverseListener l = new ReverseListener(f.lc, null, null);
      EmbeddedChannel a = accept(l, "10.1.2.3", 40000);
      send(a, "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: small\r\n\r\n");
      settle(() -> ReverseProxyHandlerTest.written(a).contains("egress_budget_exhausted"), a);
      assertThat(a.isOpen()).isTrue();

      EmbeddedChannel b = accept(l, "10.1.2.4", 40000);
      send(b, "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: small\r\n\r\n");
      settle(() -> !b.isOpen(), b);
      assertThat(b.isOpen()).isFalse();
      assertThat(ReverseProxyHandlerTest.written(b))
          .startsWith("HTTP/1.1 429 Too Many Requests\r\n")
          .contains("tenant_connection_limit");
      assertThat(f.stats.listener("reverse").closed().get("tenant_connection_limit").sum())
          .isEqualTo(1);
      assertThat(l.caps().openFor("small")).isEqualTo(1);
      a.close();
      assertThat(l.caps().openFor("small")).isZero();
    }
  }
}
