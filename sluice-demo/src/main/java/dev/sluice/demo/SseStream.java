package dev.sluice.demo;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one completion as server-sent events over a chunked HTTP/1.1 response: each event is
 * encoded only when it is due, written and flushed on its own, and the next one is asked of the
 * {@link Pacer} only after the previous write has reached the socket. So events arrive one by one,
 * a slow reader slows the stream instead of filling memory, and a closed connection stops it.
 *
 * <p>An HTTP/1.0 client gets the same bytes without chunked framing, and the connection closes at
 * the end (HTTP/1.0 has no other way to end such a body).
 *
 * <p>Runs on the channel's event loop; the pacer may hand {@link #produce} back from any thread.
 */
final class SseStream implements ChannelFutureListener {
  private static final Logger log = LoggerFactory.getLogger(SseStream.class);

  private final ChannelHandlerContext ctx;
  private final CompletionEvents events;
  private final Pacer pacer;
  private boolean ended;
  private int written;

  private SseStream(ChannelHandlerContext ctx, CompletionEvents events, Pacer p) {
    this.ctx = ctx;
    this.events = events;
    this.pacer = p;
  }

  /**
   * Writes the response head and the first event, and starts the stream.
   *
   * @param usage the counts for the usage chunk, or null when the client did not ask for one
   */
  static void start(
      ChannelHandlerContext ctx,
      HttpVersion requestVersion,
      ChunkEvents events,
      Completion completion,
      Usage usage,
      Pacer pacer) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    if (requestVersion.equals(HttpVersion.HTTP_1_0)) {
      HttpUtil.setKeepAlive(head, false);
    } else {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
    ctx.write(head);
    new SseStream(ctx, new CompletionEvents(events, completion, usage), pacer).produce();
  }

  /** Encodes and writes the next event. */
  private void produce() {
    if (!ctx.executor().inEventLoop()) {
      ctx.executor().execute(this::produce);
      return;
    }
    if (ended || !ctx.channel().isActive()) {
      return;
    }
    HttpContent next;
    try {
      next = nextEvent();
    } catch (RuntimeException e) {
      log.warn("demo upstream: cannot encode an event; closing the stream", e);
      ended = true;
      ctx.close();
      return;
    }
    ctx.writeAndFlush(next).addListener(this);
  }

  /** The next event; the last one ({@code [DONE]}) ends the HTTP response. */
  private HttpContent nextEvent() {
    ByteBuf event = events.next(ctx.alloc());
    if (events.hasNext()) {
      return new DefaultHttpContent(event);
    }
    ended = true;
    return new DefaultLastHttpContent(event);
  }

  /** A write finished: on success ask the pacer for the next event, on failure give up. */
  @Override
  public void operationComplete(ChannelFuture f) {
    if (!f.isSuccess()) {
      ended = true;
      ctx.close();
      return;
    }
    if (!ended) {
      written++;
      pacer.pace(written, ctx.executor(), this::produce);
    }
  }
}
