package dev.sluice.demo;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * Keeps HTTP/1.1 pipelining correct when responses stream: passes on one request, holds any that
 * arrive before its response has been written to its end, and passes on the next one only then.
 * While requests wait, reading from the socket stops, so a client cannot queue unbounded work.
 *
 * <p>Sits after the aggregator, so it sees whole requests, and before the handler that answers
 * them, so it sees every response that handler writes.
 */
final class OneResponseAtATime extends ChannelDuplexHandler {
  private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
  private boolean responding;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (responding) {
      waiting.add((FullHttpRequest) msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    responding = true;
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent) {
      ChannelPromise p = promise.unvoid();
      p.addListener(f -> responseWritten(ctx));
      ctx.write(msg, p);
    } else {
      ctx.write(msg, promise);
    }
  }

  private void responseWritten(ChannelHandlerContext ctx) {
    responding = false;
    if (!ctx.channel().isActive()) {
      releaseWaiting();
      return;
    }
    FullHttpRequest next = waiting.poll();
    if (next != null) {
      responding = true;
      ctx.fireChannelRead(next);
    } else {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseWaiting();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseWaiting();
  }

  private void releaseWaiting() {
    FullHttpRequest r;
    while ((r = waiting.poll()) != null) {
      r.release();
    }
  }
}
