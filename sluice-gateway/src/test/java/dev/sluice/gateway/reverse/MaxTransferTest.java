package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.transfer.TransferAllowance;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
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
 * A zone's {@code max_transfer} (issue 16, point 4): a response of known length above it is refused
 * before a byte of it leaves, with a JSON error that says how to get a larger transfer through, and
 * ledgered; a streamed (chunked) response is cut when its count would pass it.
 */
class MaxTransferTest {

  @TempDir Path dir;

  private static final String GET = "GET /logs HTTP/1.1\r\nHost: gw\r\nX-Tenant: default\r\n\r\n";

  /** One client connection of a reverse listener and its pooled upstream. */
  private static final class Conn {
    final EmbeddedChannel upstream = new EmbeddedChannel();
    final EmbeddedChannel client;
    final ReverseProxyHandler proxy;
    final ConnectionRecord record;
    final StringBuilder out = new StringBuilder();

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
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("default"));
      proxy =
          new ReverseProxyHandler(
              f.lc,
              new UpstreamDialer(f.lc, targets, pool, null),
              record,
              meter,
              new Admission(f.lc),
              new ConnectionCaps(256, 1024).lease(),
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

    /** Sends the GET, answers it upstream with {@code parts}, returns what the client got. */
    String exchange(HttpObject... parts) throws Exception {
      client.writeInbound(Unpooled.copiedBuffer(GET, StandardCharsets.US_ASCII));
      settle(() -> proxy.phase() == ExchangePhase.AWAITING);
      assertThat(proxy.phase()).isEqualTo(ExchangePhase.AWAITING);
      ((FullHttpRequest) upstream.readOutbound()).release();
      upstream.writeInbound((Object[]) parts);
      settle(
          () -> {
            read();
            return !client.isActive() || proxy.phase() == ExchangePhase.IDLE;
          });
      read();
      return out.toString();
    }

    private void read() {
      ByteBuf b;
      while ((b = client.readOutbound()) != null) {
        out.append(b.toString(StandardCharsets.ISO_8859_1));
        b.release();
      }
    }

    /** Bounded polling of the embedded channels' tasks (the store answers on its own thread). */
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

  private static HttpResponse head(long contentLength) {
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    if (contentLength >= 0) {
      res.headers().set(HttpHeaderNames.CONTENT_LENGTH, contentLength);
    } else {
      res.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    return res;
  }

  @Test
  void aResponseOfKnownLengthAboveMaxTransferIsRefusedBeforeAByteLeaves() throws Exception {
    try (ListenerFixture f = ListenerFixture.withMaxTransfer(dir, "reverse", "enforce", "4KiB")) {
      Conn c = new Conn(f);
      String got =
          c.exchange(
              head(5000),
              new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[4999])),
              new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[1])));

      assertThat(got).startsWith("HTTP/1.1 413 ");
      assertThat(got)
          .contains("\"type\":\"transfer_too_large\"")
          .contains("max_transfer of zone inference (4096 bytes")
          .contains("sluice change approve-transfer --config RUNNING.yaml --zone inference")
          .contains("sluice transfer allow --config RUNNING.yaml");
      assertThat(c.record.charged()).isZero(); // not a byte of the response left
      c.close();

      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).singleElement();
      assertThat(denies.get(0).getString("reason")).isEqualTo("transfer_too_large");
      assertThat(denies.get(0).getString("tenant")).isEqualTo("default");
    }
  }

  @Test
  void aResponseWithinMaxTransferGoesThrough() throws Exception {
    try (ListenerFixture f = ListenerFixture.withMaxTransfer(dir, "reverse", "enforce", "4KiB")) {
      Conn c = new Conn(f);
      String got =
          c.exchange(
              head(3000), new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[3000])));

      assertThat(got).startsWith("HTTP/1.1 200 ");
      assertThat(c.record.charged()).isEqualTo(got.length());
      c.close();
      assertThat(f.closeAndRead(EntryType.DENY)).isEmpty();
    }
  }

  @Test
  void aStreamedResponseIsCutWhenItsCountWouldPassMaxTransfer() throws Exception {
    try (ListenerFixture f = ListenerFixture.withMaxTransfer(dir, "reverse", "enforce", "4KiB")) {
      Conn c = new Conn(f);
      HttpObject[] parts = new HttpObject[11];
      parts[0] = head(-1);
      for (int i = 1; i < parts.length - 1; i++) {
        parts[i] = new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[1000]));
      }
      parts[parts.length - 1] = new DefaultLastHttpContent();
      String got = c.exchange(parts);

      assertThat(got).startsWith("HTTP/1.1 200 ");
      assertThat((long) got.length()).isLessThanOrEqualTo(4096).isGreaterThan(3000);
      assertThat(c.record.charged()).isEqualTo(got.length());
      assertThat(c.client.isActive()).isFalse(); // cut: the client sees a short body
      c.close();

      List<LedgerEntry> denies = f.closeAndRead(EntryType.DENY);
      assertThat(denies).singleElement();
      assertThat(denies.get(0).getString("reason")).isEqualTo("transfer_too_large");
      assertThat(denies.get(0).getString("detail")).contains("cut at max_transfer");
    }
  }

  @Test
  void anApprovedTransferGoesThroughUntilItExpires() throws Exception {
    try (ListenerFixture f = ListenerFixture.withMaxTransfer(dir, "reverse", "enforce", "4KiB")) {
      long until = f.clock.millis() + 60_000;
      f.lc
          .maxTransfer()
          .allowances()
          .allow(new TransferAllowance("inference", "default", "/logs*", 10_000, until));
      Conn c = new Conn(f);
      String got =
          c.exchange(
              head(5000), new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[5000])));
      assertThat(got).startsWith("HTTP/1.1 200 ");
      assertThat(c.record.charged()).isEqualTo(got.length()); // charged as usual

      f.clock.advance(java.time.Duration.ofMinutes(1)); // the allowance expires
      c.out.setLength(0);
      String after =
          c.exchange(
              head(5000), new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[5000])));
      assertThat(after).startsWith("HTTP/1.1 413 ");
      c.close();
    }
  }
}
