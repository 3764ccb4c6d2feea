package dev.sluice.gateway.reverse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.ledger.EntryType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A reverse request that names its tenant or its host twice is refused with 400 {@code
 * duplicate_identity_header} and never forwarded: with two {@code X-Tenant} headers the first was
 * charged and both went upstream, which may bill the other. The client pipeline of a reverse
 * listener runs in an {@code EmbeddedChannel} with an idle pooled upstream connection (an {@code
 * EmbeddedChannel} too) that must receive nothing.
 */
class IdentityHeadersTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: small\r\nX-Tenant: default\r\n\r\n",
        "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: default\r\nx-tenant: default\r\n\r\n",
        "GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Tenant: default\r\nHost: other\r\n\r\n",
        "GET /v1/models HTTP/1.0\r\nHost: gw\r\nHost: other\r\nX-Tenant: default\r\n\r\n",
      })
  void aRequestNamingItsTenantOrHostTwiceIsRefusedAndNotForwarded(String request) throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      UpstreamPool pool = new UpstreamPool();
      UpstreamTargets.Target target = new UpstreamTargets(f.lc.config().upstreams()).next();
      EmbeddedChannel upstream = new EmbeddedChannel();
      upstream.pipeline().addLast(Stages.RELAY, new UpstreamHandler(null, pool, target));
      pool.release(upstream, target);
      EventLoop loop = upstream.eventLoop();
      EmbeddedChannel ch =
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
      ConnectionRecord record = f.record();
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("default"));
      ch.pipeline()
          .addLast(Stages.METER, meter)
          .addLast(ReverseListener.CODEC, ReverseListener.newServerCodec())
          .addLast("guard", new RequestGuard())
          .addLast("aggregate", new HttpObjectAggregator(1 << 16))
          .addLast(
              "proxy",
              new ReverseProxyHandler(
                  f.lc,
                  new UpstreamDialer(
                      f.lc, new UpstreamTargets(f.lc.config().upstreams()), pool, null),
                  record,
                  meter,
                  new Admission(f.lc),
                  new dev.sluice.gateway.listener.ConnectionCaps(256, 1024).lease(),
                  true));
      ch.pipeline().fireChannelActive();

      ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
      for (int i = 0; i < 20; i++) {
        ch.runPendingTasks();
        upstream.runPendingTasks();
        Thread.sleep(5);
      }

      StringBuilder out = new StringBuilder();
      ByteBuf b;
      while ((b = ch.readOutbound()) != null) {
        out.append(b.toString(StandardCharsets.UTF_8));
        b.release();
      }
      assertThat(out.toString())
          .containsPattern("\\AHTTP/1\\.[01] 400 ")
          .contains("\"type\":\"duplicate_identity_header\"");
      assertThat(upstream.<Object>readOutbound()).as("forwarded upstream").isNull();
      ch.finishAndReleaseAll();
      upstream.finishAndReleaseAll();
      assertThat(f.closeAndRead(EntryType.DENY))
          .singleElement()
          .satisfies(e -> assertThat(e.getString("reason")).isEqualTo("duplicate_identity_header"));
    }
  }
}
