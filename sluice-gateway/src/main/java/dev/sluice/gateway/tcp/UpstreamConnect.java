package dev.sluice.gateway.tcp;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.net.HostPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.util.function.Supplier;

/**
 * Connects a tcp listener's client to an upstream, on the client's event loop: tries each upstream
 * in turn from a start the listener chooses, and puts a fresh {@link EgressMeter} on the egress
 * side of each attempt (the upstream channel, or the client channel for {@code egress: client}).
 */
final class UpstreamConnect {

  /** How connecting ended; called on the client's event loop. */
  interface Result {
    void connected(Channel upstream, HostPort target);

    /** No upstream accepted a connection (the client is still open). */
    /**
     * No upstream accepted a connection.
     *
     * @param timedOut the last one did not answer within {@code timeouts.upstream_connect}
     */
    void unavailable(boolean timedOut);
  }

  private final ListenerContext lc;
  private final TcpListener listener;
  private final boolean egressUpstream;

  UpstreamConnect(ListenerContext lc, TcpListener listener, boolean egressUpstream) {
    this.lc = lc;
    this.listener = listener;
    this.egressUpstream = egressUpstream;
  }

  /**
   * Connects {@code client}, charging egress to {@code account}.
   *
   * @param meterListener told of the meter's refusals
   * @param relay makes the upstream side's relay handler (one per attempt: it is not sharable)
   */
  void connect(
      Channel client,
      ConnectionRecord record,
      EscrowAccount account,
      EgressMeter.Listener meterListener,
      Supplier<ChannelHandler> relay,
      Result r) {
    connect(client, record, account, meterListener, relay, r, listener.nextStart(), 0);
  }

  private void connect(
      Channel client,
      ConnectionRecord record,
      EscrowAccount account,
      EgressMeter.Listener meterListener,
      Supplier<ChannelHandler> relay,
      Result r,
      int start,
      int attempt) {
    HostPort target = listener.upstream(start, attempt);
    EgressMeter meter = new EgressMeter(lc.meter(), record, account);
    meter.stream();
    meter.maxTransfer(lc.maxTransfer()); // the zone's: approved transfers name a destination
    meter.listener(meterListener);
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .option(ChannelOption.SO_RCVBUF, Transport.RECEIVE_BUFFER)
            .option(ChannelOption.RECVBUF_ALLOCATOR, Transport.readSizes())
            .channel(lc.transport().socketChannel())
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int)
                    Math.min(Integer.MAX_VALUE, lc.config().limits().upstreamConnect().toMillis()))
            .handler(listener.upstreamPipeline(egressUpstream ? meter : null, record, relay.get()));
    if (!egressUpstream) {
      listener.meterClient(client, meter, record);
    }
    b.connect(target.host(), target.port())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    r.connected(f.channel(), target);
                  } else if (!client.isActive()) {
                    return;
                  } else if (attempt + 1 < listener.upstreamCount()) {
                    if (!egressUpstream) {
                      TcpListener.unmeterClient(client);
                    }
                    connect(client, record, account, meterListener, relay, r, start, attempt + 1);
                  } else {
                    r.unavailable(f.cause() instanceof io.netty.channel.ConnectTimeoutException);
                  }
                });
  }
}
