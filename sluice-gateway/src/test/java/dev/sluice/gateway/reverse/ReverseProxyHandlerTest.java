package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reverse handler's phases in an {@code EmbeddedChannel}, with the client pipeline of a reverse
 * listener (meter, codec, guard, aggregator, proxy): a request admitted, sent on a pooled upstream
 * connection (an {@code EmbeddedChannel} too) and its response relayed; a request refused by
 * admission before any response started (429, the connection kept); and an upstream that cannot be
 * connected (502).
 */
class ReverseProxyHandlerTest {

  @TempDir Path dir;

  private static final String GET = "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: %s\r\n\r\n";

  /** A client connection from 10.1.2.3 whose handlers run on {@code loop} (null: its own). */
  static EmbeddedChannel client(EventLoop loop) {
    return new EmbeddedChannel() {
      @Override
      protected SocketAddress remoteAddress0() {
        return new InetSocketAddress("10.1.2.3", 40000);
      }

      @Override
      public EventLoop eventLoop() {
        return loop == null ? super.eventLoop() : loop;
      }
    };
  }

  static ReverseProxyHandler install(
      EmbeddedChannel ch, ListenerFixture f, UpstreamPool pool, ConnectionRecord record) {
    UpstreamTargets targets = new UpstreamTargets(f.lc.config().upstreams());
    EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("default"));
    ReverseProxyHandler proxy =
        new ReverseProxyHandler(
            f.lc,
            new UpstreamDialer(f.lc, targets, pool, null),
            record,
            meter,
            new Admission(f.lc),
            new dev.sluice.gateway.listener.ConnectionCaps(256, 1024).lease(),
            true);
    ch.pipeline()
        .addLast(Stages.METER, meter)
        .addLast(ReverseListener.CODEC, ReverseListener.newServerCodec())
        .addLast("guard", new RequestGuard())
        .addLast("aggregate", new HttpObjectAggregator(1 << 16))
        .addLast("proxy", proxy);
    ch.pipeline().fireChannelActive();
    return proxy;
  }

  static void settle(BooleanSupplier done, EmbeddedChannel... chs) throws Exception {
    for (int i = 0; i < 400 && !done.getAsBoolean(); i++) {
      for (EmbeddedChannel c : chs) {
        c.runPendingTasks();
      }
      Thread.sleep(5);
    }
  }

  static String written(EmbeddedChannel ch) {
    StringBuilder s = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      s.append(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return s.toString();
  }

  @Test
  void anAdmittedRequestIsSentUpstreamAndItsResponseRelayed() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      UpstreamPool pool = new UpstreamPool();
      UpstreamTargets.Target target = new UpstreamTargets(f.lc.config().upstreams()).next();
      EmbeddedChannel upstream = new EmbeddedChannel();
      upstream.pipeline().addLast(Stages.RELAY, new UpstreamHandler(null, pool, target));
      pool.release(upstream, target); // an idle keep-alive connection, on the client's loop
      EmbeddedChannel ch = client(upstream.eventLoop());
      ConnectionRecord record = f.record();
      ReverseProxyHandler proxy = install(ch, f, pool, record);
      assertThat(proxy.phase()).isEqualTo(ExchangePhase.IDLE);

      ch.writeInbound(Unpooled.copiedBuffer(GET.formatted("default"), StandardCharsets.US_ASCII));
      settle(() -> proxy.phase() == ExchangePhase.AWAITING, ch, upstream);
      assertThat(proxy.phase()).isEqualTo(ExchangePhase.AWAITING);
      FullHttpRequest sent = upstream.readOutbound();
      assertThat(sent.headers().get(HttpHeaderNames.HOST)).isEqualTo("127.0.0.1:9");
      assertThat(sent.headers().get("X-Forwarded-For")).isEqualTo("10.1.2.3");
      sent.release();

      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.OK,
              Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
      res.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
      upstream.writeInbound(res);
      settle(() -> proxy.phase() == ExchangePhase.IDLE, ch, upstream);

      assertThat(proxy.phase()).isEqualTo(ExchangePhase.IDLE);
      String out = written(ch);
      assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nhello");
      assertThat(record.charged()).isEqualTo(out.length());
      assertThat(pool.acquire(upstream.eventLoop(), target)).isSameAs(upstream); // given back
      ch.finishAndReleaseAll();
      upstream.finishAndReleaseAll();
    }
  }

  @Test
  void aRefusalBeforeTheResponseStartedIsA429AndKeepsTheConnection() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      f.spendAll("small");
      EmbeddedChannel ch = client(null);
      ConnectionRecord record = f.record();
      ReverseProxyHandler proxy = install(ch, f, new UpstreamPool(), record);

      ch.writeInbound(Unpooled.copiedBuffer(GET.formatted("small"), StandardCharsets.US_ASCII));
      StringBuilder out = new StringBuilder();
      settle(
          () -> out.append(written(ch)).length() > 0 && proxy.phase().equals(ExchangePhase.IDLE),
          ch);

      assertThat(out.toString()).startsWith("HTTP/1.1 429 ").contains("egress_budget_exhausted");
      assertThat(proxy.phase()).isEqualTo(ExchangePhase.IDLE);
      assertThat(ch.isOpen()).isTrue();
      assertThat(record.decision()).isEqualTo(ConnectionRecord.Decision.DENY);
      assertThat(record.charged()).isZero(); // paid from the control allowance
      assertThat(record.controlBytes()).isEqualTo(out.length());
      ch.finishAndReleaseAll();
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).hasSize(1);
      assertThat(denies.get(0).getString("tenant")).isEqualTo("small");
      assertThat(denies.get(0).getString("reason")).isEqualTo("egress_budget_exhausted");
    }
  }

  @Test
  void anUpstreamThatCannotBeConnectedIsA502() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      // An embedded loop cannot carry a socket channel: connecting the upstream fails at once.
      EmbeddedChannel ch = client(null);
      ConnectionRecord record = f.record();
      ReverseProxyHandler proxy = install(ch, f, new UpstreamPool(), record);

      ch.writeInbound(Unpooled.copiedBuffer(GET.formatted("default"), StandardCharsets.US_ASCII));
      StringBuilder out = new StringBuilder();
      settle(
          () -> out.append(written(ch)).length() > 0 && proxy.phase().equals(ExchangePhase.IDLE),
          ch);

      assertThat(out.toString()).startsWith("HTTP/1.1 502 ").contains("upstream_unavailable");
      assertThat(proxy.phase()).isEqualTo(ExchangePhase.IDLE);
      assertThat(record.decision()).isEqualTo(ConnectionRecord.Decision.ERROR);
      assertThat(record.reason()).isEqualTo("upstream_unavailable");
      ch.finishAndReleaseAll();
    }
  }

  /** A client whose request was sent on a pooled upstream connection (phase AWAITING). */
  private record Sent(
      EmbeddedChannel client, EmbeddedChannel upstream, ReverseProxyHandler proxy) {}

  private static Sent sent(ListenerFixture f, ConnectionRecord record, String tenant)
      throws Exception {
    UpstreamPool pool = new UpstreamPool();
    UpstreamTargets.Target target = new UpstreamTargets(f.lc.config().upstreams()).next();
    EmbeddedChannel upstream = new EmbeddedChannel();
    upstream.pipeline().addLast(Stages.RELAY, new UpstreamHandler(null, pool, target));
    pool.release(upstream, target);
    EmbeddedChannel ch = client(upstream.eventLoop());
    ReverseProxyHandler proxy = install(ch, f, pool, record);
    ch.writeInbound(Unpooled.copiedBuffer(GET.formatted(tenant), StandardCharsets.US_ASCII));
    settle(() -> proxy.phase() == ExchangePhase.AWAITING, ch, upstream);
    assertThat(proxy.phase()).isEqualTo(ExchangePhase.AWAITING);
    ((FullHttpRequest) upstream.readOutbound()).release();
    return new Sent(ch, upstream, proxy);
  }

  @Test
  void aPooledConnectionThatFailsBeforeAResponseIsRetriedOnAFreshOne() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      ConnectionRecord record = f.record();
      Sent s = sent(f, record, "default");

      // The pooled connection closes before any response: the GET is sent again on a fresh
      // connection, which an embedded loop cannot open, so the client is answered 502.
      s.upstream().close();
      StringBuilder out = new StringBuilder();
      settle(
          () ->
              out.append(written(s.client())).length() > 0
                  && s.proxy().phase().equals(ExchangePhase.IDLE),
          s.client(),
          s.upstream());

      assertThat(out.toString()).startsWith("HTTP/1.1 502 ").contains("upstream_unavailable");
      assertThat(record.reason()).isEqualTo("upstream_unavailable");
      assertThat(s.proxy().phase()).isEqualTo(ExchangePhase.IDLE);
      s.client().finishAndReleaseAll();
    }
  }

  @Test
  void aResponseTheBudgetCannotFinishIsCutAndTheConnectionClosed() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      ConnectionRecord record = f.record();
      Sent s = sent(f, record, "small"); // 1KiB a day

      // A streamed response (no length, so not paid for as a whole) of more than the cap.
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      s.upstream().writeInbound(head);
      s.upstream().writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[2000])));
      settle(() -> !s.client().isOpen(), s.client(), s.upstream());

      assertThat(s.client().isOpen()).isFalse();
      assertThat(s.proxy().phase()).isEqualTo(ExchangePhase.CLOSING);
      assertThat(record.decision()).isEqualTo(ConnectionRecord.Decision.CUT);
      assertThat(record.reason()).isEqualTo("egress_budget_exhausted");
      assertThat(record.charged()).isPositive().isLessThanOrEqualTo(1024);
      assertThat(s.upstream().isOpen()).isFalse(); // let go with the client
      s.client().finishAndReleaseAll();
      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).extracting(e -> e.getString("reason")).contains("egress_budget_exhausted");
    }
  }
}
