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

  private enum Step {
    ROLE,
    CONTENT,
    FINISH,
    USAGE,
    DONE,
    ENDED
  }

  private final ChannelHandlerContext ctx;
  private final ChunkEvents events;
  private final Completion completion;
  private final Usage usage;
  private final Pacer pacer;
  private Step step = Step.ROLE;
  private int offset;
  private int written;

  private SseStream(
      ChannelHandlerContext ctx, ChunkEvents events, Completion completion, Usage usage, Pacer p) {
    this.ctx = ctx;
    this.events = events;
    this.completion = completion;
    this.usage = usage;
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
    new SseStream(ctx, events, completion, usage, pacer).produce();
  }

  /** Encodes and writes the next event. */
  private void produce() {
    if (!ctx.executor().inEventLoop()) {
      ctx.executor().execute(this::produce);
      return;
    }
    if (step == Step.ENDED || !ctx.channel().isActive()) {
      return;
    }
    HttpContent next;
    try {
      next = nextEvent();
    } catch (RuntimeException e) {
      log.warn("demo upstream: cannot encode an event; closing the stream", e);
      step = Step.ENDED;
      ctx.close();
      return;
    }
    ctx.writeAndFlush(next).addListener(this);
  }

  private HttpContent nextEvent() {
    String text = completion.text();
    switch (step) {
      case ROLE:
        step = text.isEmpty() ? Step.FINISH : Step.CONTENT;
        return content(events.role(ctx.alloc()));
      case CONTENT:
        int end = TokenBoundaries.next(text, offset);
        String piece = text.substring(offset, end);
        offset = end;
        if (offset == text.length()) {
          step = Step.FINISH;
        }
        return content(events.content(ctx.alloc(), piece));
      case FINISH:
        step = usage == null ? Step.DONE : Step.USAGE;
        return content(events.finish(ctx.alloc(), completion.finishReason()));
      case USAGE:
        step = Step.DONE;
        return content(events.usage(ctx.alloc(), usage));
      case DONE:
        step = Step.ENDED;
        return new DefaultLastHttpContent(ChunkEvents.done());
      default:
        throw new IllegalStateException("stream already ended");
    }
  }

  private static HttpContent content(ByteBuf event) {
    return new DefaultHttpContent(event);
  }

  /** A write finished: on success ask the pacer for the next event, on failure give up. */
  @Override
  public void operationComplete(ChannelFuture f) {
    if (!f.isSuccess()) {
      step = Step.ENDED;
      ctx.close();
      return;
    }
    if (step != Step.ENDED) {
      written++;
      pacer.pace(written, ctx.executor(), this::produce);
    }
  }
}
