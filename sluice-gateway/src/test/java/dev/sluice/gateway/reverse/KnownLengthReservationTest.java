package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.EscrowConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.EgressMeter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A response of known length is paid for as a whole before its first byte leaves (issue 15, item
 * 2): the reservation counts the escrow the node already holds for the path, a 429 comes only when
 * what is left cannot pay, and its {@code Retry-After} is as long as the wait really is.
 */
class KnownLengthReservationTest {

  @TempDir Path dir;

  private static final String GET = "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: %s\r\n\r\n";
  private static final int BODY = 60_061;

  /** One client connection (keep-alive) of a reverse listener and its pooled upstream. */
  private static final class Conn {
    final EmbeddedChannel upstream = new EmbeddedChannel();
    final EmbeddedChannel client;
    final ReverseProxyHandler proxy;
    final ConnectionRecord record;

    Conn(ListenerFixture f) {
      UpstreamPool pool = new UpstreamPool();
      UpstreamTargets targets = new UpstreamTargets(f.lc.config().upstreams());
      UpstreamTargets.Target target = targets.next();
      upstream.pipeline().addLast(Stages.RELAY, new UpstreamHandler(null, pool, target));
      pool.release(upstream, target);
      EventLoop loop = upstream.eventLoop();
      client =
          new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
              return new InetSocketAddress("10.1.2.3", 40000);
            }

            @Override
            public EventLoop eventLoop() {
              return loop;
            }
          };
      record = f.record();
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("capped"));
      proxy =
          new ReverseProxyHandler(
              f.lc,
              new UpstreamDialer(f.lc, targets, pool, null),
              record,
              meter,
              new Admission(f.lc),
              new dev.sluice.gateway.listener.ConnectionCaps(256, 1024).lease(),
              true);
      client
          .pipeline()
          .addLast(Stages.METER, meter)
          .addLast(ReverseListener.CODEC, ReverseListener.newServerCodec())
          .addLast("guard", new RequestGuard())
          .addLast("aggregate", new HttpObjectAggregator(1 << 16))
          .addLast("proxy", proxy);
      client.pipeline().fireChannelActive();
    }

    /** Sends a GET for tenant {@code capped}, answers it with a body of {@code BODY} bytes. */
    String get() throws Exception {
      client.writeInbound(
          Unpooled.copiedBuffer(GET.formatted("capped"), StandardCharsets.US_ASCII));
      settle(() -> proxy.phase() == ExchangePhase.AWAITING);
      assertThat(proxy.phase()).isEqualTo(ExchangePhase.AWAITING);
      ((FullHttpRequest) upstream.readOutbound()).release();
      // As the upstream's decoder delivers it: the head, then the body, from one read.
      HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      res.headers().set(HttpHeaderNames.CONTENT_LENGTH, BODY);
      upstream.writeInbound(
          res,
          new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[BODY - 1])),
          new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[1])));
      StringBuilder out = new StringBuilder();
      settle(
          () -> {
            out.append(written(client));
            return proxy.phase() == ExchangePhase.IDLE && out.length() > 0;
          });
      return out.toString();
    }

    void settle(BooleanSupplier done) throws Exception {
      for (int i = 0; i < 400 && !done.getAsBoolean(); i++) {
        client.runPendingTasks();
        upstream.runPendingTasks();
        Thread.sleep(5);
      }
    }

    void close() {
      client.finishAndReleaseAll();
      upstream.finishAndReleaseAll();
    }
  }

  private static String written(EmbeddedChannel ch) {
    StringBuilder s = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      s.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return s.toString();
  }

  private static ListenerFixture fixture(Path dir) throws Exception {
    return new ListenerFixture(
        dir, "reverse", "enforce", EscrowConfig.DEFAULT_MIN_CHUNK, EscrowConfig.DEFAULT_MAX_CHUNK);
  }

  @Test
  void threeResponsesOf60061BytesFitACapOf200000() throws Exception {
    try (ListenerFixture f = fixture(dir)) {
      Conn c = new Conn(f);
      long total = 0;
      for (int i = 1; i <= 3; i++) {
        String out = c.get();
        assertThat(out).as("response %d", i).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(out.length()).as("response %d", i).isGreaterThan(BODY);
        total += out.length();
      }
      assertThat(total).isLessThanOrEqualTo(200_000);
      assertThat(c.record.charged()).isEqualTo(total);
      c.close();
    }
  }

  @Test
  void a429ForEscrowHeldElsewhereSaysWhenThatEscrowReturns() throws Exception {
    try (ListenerFixture f = fixture(dir)) {
      // Another holder (as a second gateway node would) takes 100,000 of the 200,000 and spends
      // nothing of it: its grant expires at the grant TTL (30 s), then the bytes return.
      Escrow other = new Escrow(f.store(), f.clock, 25, EscrowConfig.DEFAULT_GRANT_TTL);
      EscrowAccount held = other.account(f.lc.account("capped").path());
      assertThat(held.refill(100_000).join().kind()).isEqualTo(EscrowAccount.Outcome.Kind.GRANTED);
      long expires = held.expiresAt();
      Conn c = new Conn(f);
      assertThat(c.get()).startsWith("HTTP/1.1 200 OK\r\n"); // paid from what is left

      f.clock.advance(java.time.Duration.ofSeconds(5));
      String refused = c.get();
      assertThat(refused).startsWith("HTTP/1.1 429 ");
      long retryAfter = retryAfter(refused);
      long wait = (expires - f.clock.millis() + 999) / 1000;
      assertThat(retryAfter).isBetween(wait, wait + 2); // the escrow's return, not the day's end

      // When the other holder's escrow has returned, the same request is paid for.
      f.clock.advance(java.time.Duration.ofSeconds(retryAfter));
      other.sweep().join();
      c.close(); // a refused response lets its upstream connection go: a new client connection
      Conn again = new Conn(f);
      assertThat(again.get()).startsWith("HTTP/1.1 200 OK\r\n");
      again.close();
      other.close(java.time.Duration.ofSeconds(5));
    }
  }

  @Test
  void a429WhenNothingWillReturnSaysTheWindowsEnd() throws Exception {
    try (ListenerFixture f = fixture(dir)) {
      Conn c = new Conn(f);
      for (int i = 0; i < 3; i++) {
        assertThat(c.get()).startsWith("HTTP/1.1 200 OK\r\n");
      }
      String refused = c.get(); // about 19,700 bytes left: the fourth cannot be paid
      assertThat(refused).startsWith("HTTP/1.1 429 ");
      // 10:00 UTC to the end of the day: 14 hours.
      assertThat(retryAfter(refused)).isEqualTo(14 * 3600);
      c.close();
    }
  }

  /**
   * The upstream's decoder delivered more than the response (a second one, from the same read)
   * while the response was being paid for: the parts after its last one are not relayed, and the
   * upstream connection, which said more than it was asked, is closed instead of pooled.
   */
  @Test
  void partsBeyondAResponseHeldWhileItWasPaidForAreNotRelayed() throws Exception {
    try (ListenerFixture f = fixture(dir)) {
      Conn c = new Conn(f);
      c.client.writeInbound(
          Unpooled.copiedBuffer(GET.formatted("capped"), StandardCharsets.US_ASCII));
      c.settle(() -> c.proxy.phase() == ExchangePhase.AWAITING);
      ((FullHttpRequest) c.upstream.readOutbound()).release();
      HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      res.headers().set(HttpHeaderNames.CONTENT_LENGTH, BODY);
      HttpResponse extra = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      extra.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1);
      c.upstream.writeInbound(
          res,
          new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[BODY])),
          extra,
          new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[1])));
      StringBuilder out = new StringBuilder();
      c.settle(
          () -> {
            out.append(written(c.client));
            return c.proxy.phase() == ExchangePhase.IDLE && out.length() > 0;
          });
      assertThat(out.toString()).startsWith("HTTP/1.1 200 OK\r\n");
      assertThat(out.toString().split("HTTP/1.1 ", -1)).as("one response").hasSize(2);
      assertThat(c.upstream.isOpen()).as("upstream connection pooled").isFalse();
      c.close();
    }
  }

  private static long retryAfter(String response) {
    for (String line : response.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("retry-after:")) {
        return Long.parseLong(line.substring("retry-after:".length()).trim());
      }
    }
    throw new AssertionError("no Retry-After in " + response);
  }
}
