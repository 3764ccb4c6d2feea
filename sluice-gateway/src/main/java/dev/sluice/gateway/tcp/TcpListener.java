package dev.sluice.gateway.tcp;

import dev.sluice.config.Egress;
import dev.sluice.config.HostPort;
import dev.sluice.gateway.ListenerContext;
import dev.sluice.gateway.SourceTenants;
import dev.sluice.gateway.admission.Admission;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@code tcp} listener: a port forward to one of its upstreams (round robin, skipping those that
 * refuse), with the configured direction metered. The tenant comes from the client's source address
 * ({@code tenants_by_source}), else the zone's {@code default} tenant; a client with neither is
 * refused.
 */
public final class TcpListener extends ChannelInitializer<SocketChannel> {

  private final ListenerContext lc;
  private final List<HostPort> upstreams;
  private final SourceTenants sources;
  private final Admission admission;
  private final AtomicInteger next = new AtomicInteger();

  public TcpListener(ListenerContext lc) {
    this.lc = lc;
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

  /** The handler of one accepted connection. */
  TcpForward newForward() {
    return new TcpForward(lc, this, sources, lc.config().egress() == Egress.UPSTREAM, admission);
  }

  /** The upstream to try for attempt {@code attempt} of a connection (round robin). */
  HostPort upstream(int start, int attempt) {
    return upstreams.get(Math.floorMod(start + attempt, upstreams.size()));
  }

  int upstreamCount() {
    return upstreams.size();
  }

  int nextStart() {
    return next.getAndIncrement();
  }
}
