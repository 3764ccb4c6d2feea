package dev.sluice.gateway.reverse;

import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens connections to the upstreams of a reverse listener for a client connection: borrows an idle
 * one from the {@link UpstreamPool}, or connects to each upstream in turn until one accepts. The
 * connection runs on the client's event loop, with the pipeline of {@link
 * ReverseListener#upstreamPipeline}.
 */
final class UpstreamDialer {

  private static final Logger log = LoggerFactory.getLogger(UpstreamDialer.class);

  /** How a dial ended; called on the client's event loop. */
  interface Result {
    void connected(Channel upstream, UpstreamTargets.Target target);

    /** The client went away while connecting. */
    void clientGone();

    /**
     * No upstream accepted a connection.
     *
     * @param timedOut the last one did not answer within {@code timeouts.upstream_connect}
     */
    void unavailable(boolean timedOut);
  }

  private final ListenerContext lc;
  private final UpstreamTargets targets;
  private final UpstreamPool pool;
  private final SslContext tls;

  UpstreamDialer(ListenerContext lc, UpstreamTargets targets, UpstreamPool pool, SslContext tls) {
    this.lc = lc;
    this.targets = targets;
    this.pool = pool;
    this.tls = tls;
  }

  /** {@code timeouts.upstream_connect} of {@code lc}'s listener, as Netty's connect option. */
  static int connectTimeoutMillis(ListenerContext lc) {
    return (int) Math.min(Integer.MAX_VALUE, lc.config().limits().upstreamConnect().toMillis());
  }

  UpstreamPool pool() {
    return pool;
  }

  /** The upstream the next request goes to (round robin). */
  UpstreamTargets.Target next() {
    return targets.next();
  }

  /** An idle pooled connection to {@code target} on {@code client}'s loop, bound to it, or null. */
  Channel borrow(Channel client, UpstreamTargets.Target target, UpstreamRelay relay) {
    Channel idle = pool.acquire(client.eventLoop(), target);
    if (idle != null) {
      ((UpstreamHandler) idle.pipeline().get("relay")).bind(relay);
    }
    return idle;
  }

  /** Connects to {@code target}, then to the next upstreams in turn while they refuse. */
  void dial(
      Channel client, UpstreamRelay relay, int attempt, UpstreamTargets.Target target, Result r) {
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .option(ChannelOption.SO_RCVBUF, Transport.RECEIVE_BUFFER)
            .option(ChannelOption.RECVBUF_ALLOCATOR, Transport.readSizes())
            .channel(lc.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis(lc))
            .handler(ReverseListener.upstreamPipeline(relay, pool, target, tls));
    b.connect(target.host(), target.port())
        .addListener(
            (ChannelFutureListener)
                cf -> {
                  if (cf.isSuccess()) {
                    r.connected(cf.channel(), target);
                  } else if (!client.isActive()) {
                    r.clientGone();
                  } else if (attempt + 1 < targets.size()) {
                    log.debug("upstream {} refused: {}", target, cf.cause().toString());
                    dial(client, relay, attempt + 1, targets.next(), r);
                  } else {
                    log.warn(
                        "no upstream of {} accepted a connection: {}",
                        lc.name(),
                        cf.cause().toString());
                    r.unavailable(cf.cause() instanceof ConnectTimeoutException);
                  }
                });
  }
}
