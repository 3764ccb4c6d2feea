package dev.sluice.gateway.tcp;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.SourceTenants;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.net.HostPort;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One forwarded TCP connection, on the client channel: identifies the tenant ({@link
 * SourceIdentity}), asks the shared {@link Admission} stage, connects an upstream ({@link
 * UpstreamConnect}, which puts an {@link EgressMeter} on the egress side) and relays the client's
 * bytes to it; {@link UpstreamSide} relays the other way, {@link HalfClose} passes FINs on. Each
 * side reads its next chunk only when the previous one was written to the other side (the meter
 * completes a write only once it is paid for), so a slow or unpaid direction stops its source
 * instead of buffering. A refusal closes both sides.
 *
 * <p>Timeouts and caps: a source address or tenant at its cap ({@code connection_limits}) is closed
 * at accept; an upstream that does not connect within {@code timeouts.upstream_connect}, and a
 * connection that passes no byte either way for {@code timeouts.tunnel_idle}, are closed. Each is
 * counted in {@code sluice_connections_closed_total} and is the record's reason.
 */
final class TcpForward extends ChannelInboundHandlerAdapter implements EgressMeter.Listener {

  private final ListenerContext lc;
  private final SourceIdentity identity;
  private final UpstreamConnect connector;
  private final Admission admission;
  private ConnectionRecord record;
  private Channel client;
  private Channel upstream;
  private HalfClose halfClose;
  private String tenant;
  private final ArrayDeque<Object> early = new ArrayDeque<>();
  private boolean clientFinEarly;
  private final ConnectionCaps.Lease lease;

  /** {@code lease}: the connection's slots of the listener's caps. */
  TcpForward(
      ListenerContext lc,
      TcpListener listener,
      SourceTenants sources,
      boolean egressUpstream,
      Admission admission,
      ConnectionCaps.Lease lease) {
    this.lc = lc;
    this.lease = lease;
    this.admission = admission;
    this.identity = new SourceIdentity(lc, sources);
    this.connector = new UpstreamConnect(lc, listener, egressUpstream);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client = ctx.channel();
    halfClose = new HalfClose(client, this::closeBoth);
    InetSocketAddress remote = (InetSocketAddress) client.remoteAddress();
    record =
        new ConnectionRecord(
            lc.name(),
            lc.zone(),
            remote.getAddress().getHostAddress() + ":" + remote.getPort(),
            lc.clock().millis(),
            lc.clock().nanos());
    lc.meter().listenerStats().connectionsOpen.increment();
    lc.meter().listenerStats().connectionsTotal.increment();
    if (!lease.source(remote.getAddress())) {
      refuseConnection(Reason.SOURCE_CONNECTION_LIMIT, remote.getAddress().getHostAddress());
      return;
    }
    tenant = identity.tenantOf(remote.getAddress());
    if (tenant == null) {
      lc.evidence().stats().denied(Reason.UNKNOWN_TENANT);
      record.outcome(ConnectionRecord.Decision.DENY, Reason.UNKNOWN_TENANT);
      client.close();
      return;
    }
    record.tenant(tenant);
    if (!lease.tenant(tenant)) {
      refuseConnection(Reason.TENANT_CONNECTION_LIMIT, tenant);
      return;
    }
    EscrowAccount account = lc.account(tenant);
    admission.admit(
        client,
        record,
        tenant,
        account,
        1,
        new Admission.Verdict() {
          @Override
          public void granted() {
            connect(account);
          }

          @Override
          public void denied(Refusal r) {
            closeBoth(); // the admission stage recorded the refusal
          }
        });
  }

  /** A cap refuses the connection: recorded, ledgered, counted, closed (tcp has no way to say). */
  private void refuseConnection(Reason reason, String detail) {
    lc.meter().listenerStats().closed(reason);
    lc.evidence().denied(record, tenant, reason, detail);
    record.outcome(ConnectionRecord.Decision.DENY, reason);
    client.close();
  }

  private void connect(EscrowAccount account) {
    connector.connect(
        client,
        record,
        account,
        this,
        () -> new UpstreamSide(client, halfClose),
        new UpstreamConnect.Result() {
          @Override
          public void connected(Channel ch, HostPort target) {
            upstream = ch;
            record.destination(target.toString());
            TcpForward.this.connected();
          }

          @Override
          public void unavailable(boolean timedOut) {
            Reason why = timedOut ? Reason.UPSTREAM_CONNECT_TIMEOUT : Reason.UPSTREAM_UNAVAILABLE;
            if (timedOut) {
              lc.meter().listenerStats().closed(why);
              lc.evidence().stats().denied(why);
            }
            record.outcome(ConnectionRecord.Decision.ERROR, why);
            client.close();
          }
        });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (upstream == null) {
      // Read before the upstream is connected (a peer that closed early makes the transport read
      // what it sent): keep it in order for the upstream. Bounded by that one read.
      early.add(msg);
      return;
    }
    if (!upstream.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    upstream.write(msg).addListener(closeBothOnFailure);
  }

  /** The upstream is connected: send what arrived before, then relay. */
  private void connected() {
    client
        .pipeline()
        .addFirst(Stages.TUNNEL_IDLE, Stages.tunnelIdle(lc.config().limits().tunnelIdle()));
    Object m;
    while ((m = early.poll()) != null) {
      upstream.write(m).addListener(closeBothOnFailure);
    }
    upstream.flush();
    if (clientFinEarly) {
      halfClose.finish(upstream);
    } else {
      client.read();
    }
    upstream.read();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (upstream != null) {
      upstream.flush();
      if (upstream.isWritable()) {
        client.read();
      } // else: the upstream's writability change resumes reading
    }
  }

  /**
   * The client shut down its sending side (half-close): pass the FIN on to the upstream after what
   * is queued, and keep relaying the other direction until it ends too.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // No byte either way for timeouts.tunnel_idle: both sides close.
      lc.meter().listenerStats().closed(Reason.TUNNEL_IDLE_TIMEOUT);
      record.outcome(ConnectionRecord.Decision.ALLOW, Reason.TUNNEL_IDLE_TIMEOUT);
      closeBoth();
      return;
    }
    if (evt instanceof ChannelInputShutdownEvent) {
      if (upstream == null) {
        clientFinEarly = true; // passed on once the upstream is connected
      } else {
        halfClose.finish(upstream);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** The client channel became writable again: the upstream may be read again. */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (client.isWritable() && upstream != null) {
      upstream.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  private final ChannelFutureListener closeBothOnFailure =
      f -> {
        if (!f.isSuccess()) {
          closeBoth();
        }
      };

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Object m;
    while ((m = early.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    lc.meter().listenerStats().connectionsOpen.decrement();
    lease.release();
    if (upstream != null) {
      upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    lc.evidence().closed(record);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    record.outcome(ConnectionRecord.Decision.ERROR, Reason.CLIENT_ERROR);
    closeBoth();
  }

  @Override
  public void refused(ChannelHandlerContext ctx, Refusal r) {
    lc.evidence().denied(record, tenant, r);
    record.outcome(
        record.bytesOut() == 0 ? ConnectionRecord.Decision.DENY : ConnectionRecord.Decision.CUT,
        r.reason());
    closeBoth();
  }

  @Override
  public void wouldDeny(ChannelHandlerContext ctx, Refusal r) {
    lc.evidence().wouldDeny(record, tenant, r);
  }

  private void closeBoth() {
    if (upstream != null) {
      upstream.close();
    }
    client.close();
  }
}
