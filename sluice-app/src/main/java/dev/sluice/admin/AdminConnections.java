package dev.sluice.admin;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin server's connections: how many are open per source address, with a cap (more are closed
 * at accept, before a byte is read), and the counters behind {@code sluice_admin_connections_*} in
 * {@code /metrics}. The first handler of every admin connection.
 */
@ChannelHandler.Sharable
final class AdminConnections extends ChannelInboundHandlerAdapter {

  /** Why the admin server closed a connection on its own. */
  enum Closed {
    PER_SOURCE_CAP,
    REQUEST_TIMEOUT,
    IDLE_TIMEOUT;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final int maxPerSource;
  private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();
  private final AtomicLong openTotal = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong[] closed = new AtomicLong[Closed.values().length];

  AdminConnections(int maxPerSource) {
    if (maxPerSource < 1) {
      throw new IllegalArgumentException("maxPerSource must be at least 1, got " + maxPerSource);
    }
    this.maxPerSource = maxPerSource;
    for (int i = 0; i < closed.length; i++) {
      closed[i] = new AtomicLong();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    InetAddress source = source(ctx.channel().remoteAddress());
    if (source != null && !admit(source)) {
      count(Closed.PER_SOURCE_CAP);
      ctx.close();
      return;
    }
    accepted.incrementAndGet();
    openTotal.incrementAndGet();
    ctx.channel()
        .closeFuture()
        .addListener(
            f -> {
              // The source's count first: once open() shows the close, the source may connect.
              if (source != null) {
                open.computeIfPresent(source, (k, n) -> n <= 1 ? null : n - 1);
              }
              openTotal.decrementAndGet();
            });
    ctx.fireChannelActive();
  }

  private boolean admit(InetAddress source) {
    boolean[] admitted = {false};
    open.compute(
        source,
        (k, n) -> {
          int now = n == null ? 0 : n;
          if (now >= maxPerSource) {
            return n;
          }
          admitted[0] = true;
          return now + 1;
        });
    return admitted[0];
  }

  private static InetAddress source(SocketAddress a) {
    return a instanceof InetSocketAddress i ? i.getAddress() : null;
  }

  void count(Closed why) {
    closed[why.ordinal()].incrementAndGet();
  }

  /** Connections open now. */
  long open() {
    return openTotal.get();
  }

  /** Connections accepted (not refused by the cap) since start. */
  long accepted() {
    return accepted.get();
  }

  /** Connections the server closed for {@code why} since start. */
  long closed(Closed why) {
    return closed[why.ordinal()].get();
  }

  int maxPerSource() {
    return maxPerSource;
  }
}
