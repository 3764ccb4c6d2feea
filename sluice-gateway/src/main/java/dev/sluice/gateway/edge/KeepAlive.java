package dev.sluice.gateway.edge;

import dev.sluice.time.Clock;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A link's keep-alive: after an interval without a frame from the peer, PING it; after three
 * intervals, give up (the link ends with ERROR TIMEOUT). Time is read from the injected clock; the
 * checks run on the link's event loop.
 */
final class KeepAlive {

  /** What the link does when the peer was silent. */
  interface Peer {
    void ping(long value);

    void timedOut(long silentMillis);
  }

  private final ChannelHandlerContext ctx;
  private final Clock clock;
  private long lastRead;

  KeepAlive(ChannelHandlerContext ctx, Clock clock) {
    this.ctx = ctx;
    this.clock = clock;
    this.lastRead = clock.nanos();
  }

  /** A frame came from the peer. */
  void heard() {
    lastRead = clock.nanos();
  }

  /** Checks every {@code interval} nanos (none if 0) while {@code live}. */
  void start(long interval, BooleanSupplier live, Peer peer) {
    if (interval <= 0) {
      return;
    }
    ctx.executor()
        .schedule(
            () -> {
              if (!live.getAsBoolean() || !ctx.channel().isActive()) {
                return;
              }
              long silent = clock.nanos() - lastRead;
              if (silent >= 3 * interval) {
                peer.timedOut(silent / 1_000_000);
                return;
              }
              if (silent >= interval) {
                peer.ping(clock.nanos());
              }
              start(interval, live, peer);
            },
            interval,
            TimeUnit.NANOSECONDS);
  }
}
