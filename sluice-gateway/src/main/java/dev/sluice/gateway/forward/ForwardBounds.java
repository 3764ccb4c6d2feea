package dev.sluice.gateway.forward;

import dev.sluice.config.ConnectionLimits;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.Deadline;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.RequestClock;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.refusal.Reason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.Set;

/**
 * The timeouts and caps of one forward connection ({@code timeouts}, {@code connection_limits}):
 * its {@link RequestClock} (a request head that does not arrive in time is answered 408, a
 * keep-alive connection idle too long is closed), the first-byte timer of an exchange (504), the
 * idle timer of a tunnel (both sides closed) and its slots of the listener's {@link ConnectionCaps}
 * (429). The destination's connect timeout is the {@link Dialer}'s. Each is counted in {@code
 * sluice_connections_closed_total} and is the record's reason. Request bodies are not timed: the
 * meter paces them (reading stops while escrow refills). Event-loop only.
 */
final class ForwardBounds implements RequestClock.Expiry {

  /** What the bounds ask of the connection. */
  interface Connection {
    /** Refuses the current request (or the connection) for {@code reason}: answered, closed. */
    void refuse(Reason reason, String detail);

    /** Ends the connection with {@code decision} for {@code reason}, closing both sides. */
    void end(ConnectionRecord.Decision decision, Reason reason);
  }

  /** Reasons that close the connection for a timeout or a cap, counted as such. */
  private static final Set<Reason> CLOSES =
      EnumSet.of(
          Reason.REQUEST_HEAD_TIMEOUT,
          Reason.UPSTREAM_CONNECT_TIMEOUT,
          Reason.UPSTREAM_FIRST_BYTE_TIMEOUT,
          Reason.SOURCE_CONNECTION_LIMIT,
          Reason.TENANT_CONNECTION_LIMIT);

  private final ListenerContext lc;
  private final ConnectionLimits limits;
  private final Connection connection;
  private final ConnectionCaps.Lease lease;
  private final RequestClock clock;
  private Deadline firstByte;

  ForwardBounds(ListenerContext lc, Connection connection, ConnectionCaps.Lease lease) {
    this.lc = lc;
    this.limits = lc.config().limits();
    this.connection = connection;
    this.lease = lease;
    this.clock = new RequestClock(limits.requestHead(), limits.idle(), this, false);
  }

  /** The connection's head and idle clocks; their handlers go around the HTTP decoder. */
  RequestClock clock() {
    return clock;
  }

  void added(ChannelHandlerContext ctx) {
    firstByte = new Deadline(ctx.executor());
  }

  /** Counts {@code reason} if it is a timeout's or a cap's. */
  void refused(Reason reason) {
    if (CLOSES.contains(reason)) {
      lc.meter().listenerStats().closed(reason);
    }
  }

  /** Takes a slot of {@code source}; false (the connection is refused) when it is at its cap. */
  boolean source(InetAddress source) {
    if (lease.source(source)) {
      return true;
    }
    clock.tunnel();
    connection.refuse(Reason.SOURCE_CONNECTION_LIMIT, source.getHostAddress());
    return false;
  }

  /** Takes a slot of {@code tenant}; false (the request is refused) when it is at its cap. */
  boolean tenant(String tenant) {
    if (tenant == null || lease.tenant(tenant)) {
      return true;
    }
    connection.refuse(Reason.TENANT_CONNECTION_LIMIT, tenant);
    return false;
  }

  /** The request was sent to the destination whole: its response must start in time. */
  void requestSent(Exchange e) {
    firstByte.arm(
        limits.upstreamFirstByte(),
        () -> {
          if (e.responseNotStarted()) {
            connection.refuse(
                Reason.UPSTREAM_FIRST_BYTE_TIMEOUT,
                e.origin().authority() + ": no response within " + limits.upstreamFirstByte());
          }
        });
  }

  /** The response started, or the exchange ended: no first-byte timer. */
  void responding() {
    if (firstByte != null) {
      firstByte.cancel();
    }
  }

  void exchangeDone() {
    responding();
    clock.exchangeDone();
  }

  /** A tunnel opens: no more HTTP clocks, and the tunnel's idle timer goes first on the client. */
  void tunnelOpened(ChannelPipeline client) {
    clock.tunnel();
    client.addFirst(Stages.TUNNEL_IDLE, Stages.tunnelIdle(limits.tunnelIdle()));
  }

  /** True if {@code evt} was the tunnel idle timer's (the tunnel is then closed). */
  boolean tunnelIdle(Object evt) {
    if (!(evt instanceof IdleStateEvent)) {
      return false;
    }
    lc.meter().listenerStats().closed(Reason.TUNNEL_IDLE_TIMEOUT);
    connection.end(ConnectionRecord.Decision.ALLOW, Reason.TUNNEL_IDLE_TIMEOUT);
    return true;
  }

  /** The connection closed: every timer stops and every slot is given back. */
  void closed() {
    clock.tunnel();
    responding();
    lease.release();
  }

  /** The head clock runs only while no request is in progress: nothing was answered yet. */
  @Override
  public void requestHeadTimedOut() {
    connection.refuse(Reason.REQUEST_HEAD_TIMEOUT, "within " + limits.requestHead());
  }

  @Override
  public void requestBodyTimedOut() {
    // Not timed on forward listeners (the meter paces their bodies); see RequestClock.
  }

  @Override
  public void idleTimedOut() {
    lc.meter().listenerStats().closed(Reason.IDLE_TIMEOUT);
    connection.end(ConnectionRecord.Decision.ALLOW, Reason.IDLE_TIMEOUT);
  }
}
