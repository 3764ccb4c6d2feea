package dev.sluice.gateway.meter;

import dev.sluice.detect.compressibility.CompressibilityProbe;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.stats.EdgeStats;
import dev.sluice.gateway.stats.ProbeStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Feeds the plain egress bytes of one connection to a {@link CompressibilityProbe} and adds what it
 * estimates to the counters of the tenant the meter charges ({@link ProbeStats}): the
 * incompressible-egress signal.
 *
 * <p>It sits just above the meter, or above TLS when the outside connection has it ({@link
 * #addTo}), so it sees what the meter charges before encryption: HTTP heads and bodies, a tcp
 * listener's bytes, an edge link stream's plain bytes (before the codec). Control writes (the
 * gateway's denial answers) and writes after a refusal are not counted; a write the meter then
 * refuses is. When the meter's account changes tenant (a keep-alive connection's next request), the
 * bytes counted so far go to the previous tenant and a new probe starts. Bytes not yet covered by a
 * full sample window are counted when one is, or when the connection ends. Not placed on CONNECT
 * tunnels: the gateway sees the client's TLS there, which never compresses.
 *
 * <p>Never throws on the data path: a failure of the probe stops counting for this connection (the
 * bytes still go to the meter). One instance per connection, used on its event loop.
 */
public final class EgressProbe extends ChannelOutboundHandlerAdapter {

  /** The handler's name in a pipeline. */
  public static final String NAME = "egress-probe";

  private final ConnectionMeter meter;
  private final ProbeStats stats;
  private final SplittableRandom random;
  private CompressibilityProbe probe;
  private ProbeStats.Tenant tenant;
  private EscrowAccount account;
  private boolean failed;

  EgressProbe(ConnectionMeter meter, ProbeStats stats, SplittableRandom random) {
    this.meter = Objects.requireNonNull(meter, "meter");
    this.stats = Objects.requireNonNull(stats, "stats");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Adds a probe for {@code meter}'s bytes to {@code p}: above {@link Stages#TLS} if the pipeline
   * has it, else above {@link Stages#METER}. Call after both are in place.
   */
  public static void addTo(ChannelPipeline p, ConnectionMeter meter, ProbeStats stats) {
    addTo(p, meter, stats, new SplittableRandom());
  }

  /** {@link #addTo(ChannelPipeline, ConnectionMeter, ProbeStats)} sampling with {@code random}. */
  static void addTo(
      ChannelPipeline p, ConnectionMeter meter, ProbeStats stats, SplittableRandom random) {
    String below = p.get(Stages.TLS) != null ? Stages.TLS : Stages.METER;
    p.addAfter(below, NAME, new EgressProbe(meter, stats, random));
  }

  /** {@link #addTo(ChannelPipeline, ConnectionMeter, ProbeStats)} with the meter's own counters. */
  public static void addTo(ChannelPipeline p, EgressMeter meter) {
    addTo(p, meter, meter.settings().stats().probe());
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!failed && msg instanceof ByteBuf buf && buf.isReadable()) {
      try {
        count(buf);
      } catch (RuntimeException e) {
        failed = true; // counting is a signal, never a reason to stop bytes
      }
    }
    ctx.write(msg, promise);
  }

  private void count(ByteBuf buf) {
    if (meter.inControl() || meter.refused()) {
      return;
    }
    EscrowAccount a = meter.account();
    if (a != account) {
      account = a;
      String id = EdgeStats.tenantOf(a);
      ProbeStats.Tenant t = id == null ? null : stats.tenant(id);
      if (t != tenant) {
        finish();
        tenant = t;
        probe = t == null ? null : new CompressibilityProbe(random);
      }
    }
    if (probe != null) {
      int base = buf.readerIndex();
      probe.accept(
          (from, dst, at, len) -> buf.getBytes(base + from, dst, at, len),
          buf.readableBytes(),
          tenant::add);
    }
  }

  private void finish() {
    if (probe != null && !failed) {
      probe.finish(tenant::add);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    finish();
    probe = null;
  }
}
