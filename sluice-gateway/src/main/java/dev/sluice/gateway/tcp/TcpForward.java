package dev.sluice.gateway.tcp;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.SourceTenants;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.net.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * One forwarded TCP connection, on the client channel: identifies the tenant, makes sure it has
 * escrow, connects the upstream (on the same event loop), puts an {@link EgressMeter} on the egress
 * side, and relays bytes both ways. Each side reads its next chunk only when the previous one was
 * written to the other side (the meter completes a write only once it is paid for), so a slow or
 * unpaid direction stops its source instead of buffering. A refusal closes both sides.
 */
final class TcpForward extends ChannelInboundHandlerAdapter implements EgressMeter.Listener {

  private final ListenerContext lc;
  private final TcpListener listener;
  private final SourceTenants sources;
  private final boolean egressUpstream;
  private final Admission admission;
  private ConnectionRecord record;
  private Channel client;
  private Channel upstream;
  private String tenant;
  private EscrowAccount account;
  private final java.util.ArrayDeque<Object> early = new java.util.ArrayDeque<>();
  private boolean clientFinEarly;
  private boolean clientOutputDone;
  private boolean upstreamOutputDone;

  TcpForward(
      ListenerContext lc,
      TcpListener listener,
      SourceTenants sources,
      boolean egressUpstream,
      Admission admission) {
    this.lc = lc;
    this.admission = admission;
    this.listener = listener;
    this.sources = sources;
    this.egressUpstream = egressUpstream;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    client = ctx.channel();
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
    String bySource = sources.tenantFor(remote.getAddress());
    tenant = bySource != null ? bySource : lc.tenantOrDefault(null);
    if (tenant == null) {
      lc.evidence().stats().denied(Reason.UNKNOWN_TENANT);
      record.outcome(ConnectionRecord.Decision.DENY, Reason.UNKNOWN_TENANT);
      client.close();
      return;
    }
    record.tenant(tenant);
    account = lc.account(tenant);
    admission.admit(
        client,
        record,
        tenant,
        account,
        1,
        new Admission.Verdict() {
          @Override
          public void granted() {
            connect(listener.nextStart(), 0);
          }

          @Override
          public void denied(Refusal r) {
            closeBoth(); // the admission stage recorded the refusal
          }
        });
  }

  private void connect(int start, int attempt) {
    HostPort target = listener.upstream(start, attempt);
    EgressMeter meter = new EgressMeter(lc.meter(), record, account);
    meter.listener(this);
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .option(ChannelOption.SO_RCVBUF, Transport.RECEIVE_BUFFER)
            .option(ChannelOption.RECVBUF_ALLOCATOR, Transport.readSizes())
            .channel(lc.transport().socketChannel())
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                listener.upstreamPipeline(
                    egressUpstream ? meter : null, new Relay(() -> client, TcpForward.this)));
    if (!egressUpstream) {
      TcpListener.meterClient(client, meter);
    }
    b.connect(target.host(), target.port())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    upstream = f.channel();
                    record.destination(target.toString());
                    connected();
                  } else if (!client.isActive()) {
                    return;
                  } else if (attempt + 1 < listener.upstreamCount()) {
                    if (!egressUpstream) {
                      TcpListener.unmeterClient(client);
                    }
                    connect(start, attempt + 1);
                  } else {
                    record.outcome(ConnectionRecord.Decision.ERROR, Reason.UPSTREAM_UNAVAILABLE);
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
    Object m;
    while ((m = early.poll()) != null) {
      upstream.write(m).addListener(closeBothOnFailure);
    }
    upstream.flush();
    if (clientFinEarly) {
      finishOutput(upstream);
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
    if (evt instanceof ChannelInputShutdownEvent) {
      if (upstream == null) {
        clientFinEarly = true; // passed on once the upstream is connected
      } else {
        finishOutput(upstream);
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** The upstream shut down its sending side: pass the FIN on to the client. */
  void upstreamInputShutdown() {
    finishOutput(client);
  }

  /**
   * Shuts down the sending side of {@code ch} once everything queued for it has been written; when
   * both sides have been shut down this way, nothing is left in flight and both close.
   */
  private void finishOutput(Channel ch) {
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess() || !(ch instanceof DuplexChannel d)) {
                    closeBoth();
                    return;
                  }
                  d.shutdownOutput()
                      .addListener(
                          (ChannelFutureListener)
                              done -> {
                                if (ch == client) {
                                  clientOutputDone = true;
                                } else {
                                  upstreamOutputDone = true;
                                }
                                if (clientOutputDone && upstreamOutputDone) {
                                  closeBoth();
                                }
                              });
                });
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

  /**
   * The upstream side: relays to the client, flushing at the end of each read and reading on only
   * while the client is writable.
   */
  private static final class Relay extends ChannelInboundHandlerAdapter {
    private final java.util.function.Supplier<Channel> peer;
    private final TcpForward owner;

    Relay(java.util.function.Supplier<Channel> peer, TcpForward owner) {
      this.peer = peer;
      this.owner = owner;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        owner.upstreamInputShutdown();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel c = peer.get();
      if (!c.isActive()) {
        ReferenceCountUtil.release(msg);
        return;
      }
      c.write(msg)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (!f.isSuccess()) {
                      ctx.close();
                      c.close();
                    }
                  });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Channel c = peer.get();
      c.flush();
      if (c.isWritable()) {
        ctx.read();
      }
    }

    /** The upstream channel became writable again: the client may be read again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        peer.get().read();
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Channel c = peer.get();
      if (c.isActive()) {
        c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
