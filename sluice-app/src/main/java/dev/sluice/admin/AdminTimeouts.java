package dev.sluice.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The two clocks of an admin connection, next to the socket (before the HTTP codec, so it sees the
 * first raw byte): while no request is in progress, {@code idle_timeout}; from the first byte of a
 * request until it has arrived whole, {@code request_timeout}. Either one expiring closes the
 * connection and is counted. While the server works on a request there is no timer; {@link
 * AdminHttpHandler} reports {@link #requestRead()} and {@link #responded()}. Event-loop only.
 *
 * <p>The timers run on the channel's event loop (Netty's scheduler): timeouts are wall-clock
 * protections of a socket, not budget decisions, so they do not use the injected clock.
 */
final class AdminTimeouts extends ChannelInboundHandlerAdapter {

  private enum State {
    IDLE,
    READING,
    BUSY
  }

  private final Duration requestTimeout;
  private final Duration idleTimeout;
  private final AdminConnections connections;
  private ChannelHandlerContext ctx;
  private State state = State.IDLE;
  private ScheduledFuture<?> timer;

  AdminTimeouts(Duration requestTimeout, Duration idleTimeout, AdminConnections connections) {
    this.requestTimeout = requestTimeout;
    this.idleTimeout = idleTimeout;
    this.connections = connections;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    arm(idleTimeout, AdminConnections.Closed.IDLE_TIMEOUT);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (state == State.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
      state = State.READING;
      arm(requestTimeout, AdminConnections.Closed.REQUEST_TIMEOUT);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  /** A whole request has arrived; the server works on it with no timer. */
  void requestRead() {
    state = State.BUSY;
    cancel();
  }

  /** The response went out and the connection stays open for the next request. */
  void responded() {
    state = State.IDLE;
    arm(idleTimeout, AdminConnections.Closed.IDLE_TIMEOUT);
  }

  private void arm(Duration after, AdminConnections.Closed why) {
    cancel();
    timer =
        ctx.executor()
            .schedule(
                () -> {
                  if (ctx.channel().isOpen()) {
                    connections.count(why);
                    ctx.close();
                  }
                },
                after.toNanos(),
                TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
