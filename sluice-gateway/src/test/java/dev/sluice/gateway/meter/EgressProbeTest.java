package dev.sluice.gateway.meter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.ListenerFixture;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.stats.ProbeStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link EgressProbe} between a real {@link EgressMeter} and what writes to it, in an {@code
 * EmbeddedChannel} of a reverse listener (zone {@code inference}): it counts every data byte for
 * the meter's tenant and lets the bytes through unchanged, sits above TLS (so it sees the plain
 * bytes, not the ciphertext), skips control writes, and splits a keep-alive connection's bytes by
 * tenant when the meter's account changes.
 */
class EgressProbeTest {

  @TempDir Path dir;

  private static final byte[] TEXT =
      ("{\"id\":\"chatcmpl-1\",\"choices\":[{\"delta\":{\"content\":\"The weights stay inside; the"
              + " answers leave, and answers are text that compresses.\"}}]}\n")
          .repeat(3000)
          .getBytes(StandardCharsets.US_ASCII);

  private static final ConnectionMeter.Listener IGNORE =
      new ConnectionMeter.Listener() {
        @Override
        public void refused(ChannelHandlerContext meterCtx, dev.sluice.gateway.refusal.Refusal r) {}
      };

  @Test
  void countsEveryDataByteForTheTenantAndPassesThemUnchanged() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      ConnectionRecord record = f.record();
      EgressMeter meter = new EgressMeter(f.lc.meter(), record, f.lc.account("default"));
      meter.listener(IGNORE);
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.pipeline().addLast(Stages.METER, meter);
      EgressProbe.addTo(
          ch.pipeline(), meter, meter.settings().stats().probe(), new SplittableRandom(7));
      assertThat(ch.pipeline().names()).startsWith(Stages.METER, EgressProbe.NAME);

      byte[] random = new byte[300_000];
      new SplittableRandom(1).nextBytes(random);
      io.netty.channel.ChannelFuture last = null;
      for (int off = 0; off < random.length; off += 7000) {
        last =
            ch.writeAndFlush(
                Unpooled.wrappedBuffer(random, off, Math.min(7000, random.length - off)));
      }
      settle(ch, last);
      io.netty.channel.ChannelFuture[] control = new io.netty.channel.ChannelFuture[1];
      meter.control(() -> control[0] = ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[5000])));
      settle(ch, control[0]);
      byte[] out = drain(ch);
      assertThat(out).hasSize(random.length + 5000);
      assertThat(java.util.Arrays.copyOf(out, random.length)).isEqualTo(random);

      ch.finishAndReleaseAll(); // the connection ends: the last period is counted
      ProbeStats.Tenant t = f.stats.probe().tenants().get("tenant:inference/default");
      assertThat(t.raw.sum()).isEqualTo(random.length); // not the 5000 control bytes
      assertThat((double) t.compressed.sum() / t.raw.sum()).isGreaterThan(0.98);
    }
  }

  @Test
  void aboveTlsItSeesThePlainBytes() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      EgressMeter meter = new EgressMeter(f.lc.meter(), f.record(), f.lc.account("default"));
      meter.listener(IGNORE);
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.pipeline().addLast(Stages.METER, meter);
      ch.pipeline()
          .addLast(Stages.TLS, SslContextBuilder.forClient().build().newHandler(ch.alloc()));
      EgressProbe.addTo(
          ch.pipeline(), meter, meter.settings().stats().probe(), new SplittableRandom(7));
      List<String> names = ch.pipeline().names();
      assertThat(names.indexOf(EgressProbe.NAME)).isEqualTo(names.indexOf(Stages.TLS) + 1);

      // TLS holds application bytes until its handshake is done: below it, nothing of them shows
      ch.writeAndFlush(Unpooled.wrappedBuffer(TEXT));
      ch.runPendingTasks();
      drain(ch); // the ClientHello, through the meter
      ch.finishAndReleaseAll();
      ProbeStats.Tenant t = f.stats.probe().tenants().get("tenant:inference/default");
      assertThat(t.raw.sum()).isEqualTo(TEXT.length);
      assertThat((double) t.compressed.sum() / t.raw.sum()).isLessThan(0.75);
    }
  }

  @Test
  void aKeepAliveConnectionsBytesGoToEachRequestsTenant() throws Exception {
    try (ListenerFixture f = new ListenerFixture(dir, "reverse", "enforce")) {
      EgressMeter meter = new EgressMeter(f.lc.meter(), f.record(), f.lc.meter().control());
      meter.listener(IGNORE);
      EmbeddedChannel ch = new EmbeddedChannel();
      ch.pipeline().addLast(Stages.METER, meter);
      EgressProbe.addTo(
          ch.pipeline(), meter, meter.settings().stats().probe(), new SplittableRandom(7));

      meter.account(f.lc.account("default"));
      ch.writeAndFlush(Unpooled.wrappedBuffer(TEXT, 0, 1000));
      meter.account(f.lc.account("small"));
      ch.writeAndFlush(Unpooled.wrappedBuffer(TEXT, 0, 700));
      ch.runPendingTasks();
      drain(ch);
      // the first tenant's bytes were counted when the account changed, the second's at the end
      assertThat(f.stats.probe().tenants().get("tenant:inference/default").raw.sum())
          .isEqualTo(1000);
      ch.finishAndReleaseAll();
      assertThat(f.stats.probe().tenants().get("tenant:inference/small").raw.sum()).isEqualTo(700);
    }
  }

  /**
   * Runs the channel's tasks until {@code f} is done (the escrow refills on the store's thread).
   */
  private static void settle(EmbeddedChannel ch, io.netty.channel.ChannelFuture f)
      throws InterruptedException {
    for (int i = 0; i < 400 && !f.isDone(); i++) {
      ch.runPendingTasks();
      Thread.sleep(5); // polling, bounded: the refill completes on the store's thread
    }
    ch.runPendingTasks();
    assertThat(f.isSuccess()).as("the last write went through the meter").isTrue();
  }

  private static byte[] drain(EmbeddedChannel ch) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      byte[] a = new byte[b.readableBytes()];
      b.readBytes(a);
      out.writeBytes(a);
      b.release();
    }
    return out.toByteArray();
  }
}
