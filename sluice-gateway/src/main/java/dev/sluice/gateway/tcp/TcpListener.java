package dev.sluice.gateway.tcp;

import dev.sluice.config.Egress;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.SourceTenants;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.EgressProbe;
import dev.sluice.gateway.scan.ScanStage;
import dev.sluice.net.HostPort;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@code tcp} listener: a port forward to one of its upstreams (round robin, skipping those that
 * refuse), with the configured direction metered. The tenant comes from the client's source address
 * ({@code tenants_by_source}), else the zone's {@code default} tenant; a client with neither is
 * refused. A client whose address or tenant is at its cap ({@code connection_limits}) is closed at
 * accept: there is no protocol to tell it why.
 *
 * <p>Every pipeline of the listener is assembled here, in one place (see {@link Stages} for the
 * order and the slots). An accepted connection:
 *
 * <pre>
 *   tunnel-idle  timeouts.tunnel_idle (added once the upstream is connected)
 *   meter    write: EgressMeter, only with egress: client (added once the upstream is chosen)
 *   scan     ScanStage ({@code detection}), on the egress side only, right above its meter
 *   forward  identify and admit: TcpForward (source tenant, the shared Admission stage), then
 *            connect and relay to the upstream
 * </pre>
 *
 * and the connection to the upstream ({@link #upstreamPipeline}):
 *
 * <pre>
 *   meter    write: EgressMeter, only with egress: upstream
 *   scan     ScanStage ({@code detection}), only with egress: upstream
 *   relay    back to the client
 * </pre>
 */
public final class TcpListener extends ChannelInitializer<SocketChannel> {

  private final ListenerContext lc;
  private final List<HostPort> upstreams;
  private final SourceTenants sources;
  private final Admission admission;
  private final AtomicInteger next = new AtomicInteger();
  private final ConnectionCaps caps;

  public TcpListener(ListenerContext lc) {
    this.lc = lc;
    this.caps =
        new ConnectionCaps(
            lc.config().limits().maxPerSource(), lc.config().limits().maxPerTenant());
    this.upstreams = lc.config().upstreams().stream().map(HostPort::parse).toList();
    this.sources = new SourceTenants(lc.config().tenantsBySource());
    this.admission = new Admission(lc);
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.config().setAutoRead(false);
    ch.config().setOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE, true);
    ch.pipeline().addLast("forward", newForward());
  }

  /**
   * The pipeline of a connection to an upstream: {@code meter} at the head when egress goes
   * upstream (null otherwise), then {@code relay} back to the client.
   */
  ChannelInitializer<Channel> upstreamPipeline(
      EgressMeter meter, ConnectionRecord record, ChannelHandler relay) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        if (meter != null) {
          ch.pipeline().addLast(Stages.METER, meter);
          EgressProbe.addTo(ch.pipeline(), meter);
          ScanStage scan = lc.detector().stage(record);
          if (scan != null) {
            ch.pipeline().addLast(Stages.SCAN, scan);
          }
        }
        ch.pipeline().addLast(Stages.RELAY, relay);
      }
    };
  }

  /**
   * Egress goes to the client: {@code meter} at the head of the client's pipeline, the scan stage
   * right above it.
   */
  void meterClient(Channel client, EgressMeter meter, ConnectionRecord record) {
    client.pipeline().addFirst(Stages.METER, meter);
    EgressProbe.addTo(client.pipeline(), meter);
    ScanStage scan = lc.detector().stage(record);
    if (scan != null) {
      client.pipeline().addAfter(Stages.METER, Stages.SCAN, scan);
    }
  }

  /** Takes the client's meter and scan stage away again (the upstream refused). */
  static void unmeterClient(Channel client) {
    client.pipeline().remove(Stages.METER);
    client.pipeline().remove(EgressProbe.NAME);
    if (client.pipeline().get(Stages.SCAN) != null) {
      client.pipeline().remove(Stages.SCAN);
    }
  }

  /** The handler of one accepted connection. */
  TcpForward newForward() {
    return new TcpForward(
        lc, this, sources, lc.config().egress() == Egress.UPSTREAM, admission, caps.lease());
  }

  /** The upstream to try for attempt {@code attempt} of a connection (round robin). */
  HostPort upstream(int start, int attempt) {
    return upstreams.get(Math.floorMod(start + attempt, upstreams.size()));
  }

  /** The listener's connection caps (for tests). */
  ConnectionCaps caps() {
    return caps;
  }

  int upstreamCount() {
    return upstreams.size();
  }

  int nextStart() {
    return next.getAndIncrement();
  }
}
