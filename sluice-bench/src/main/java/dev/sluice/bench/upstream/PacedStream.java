package dev.sluice.bench.upstream;

import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.demo.Pacer;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;

/**
 * Writes one family body as its server would: the head, then each write of the body as one HTTP
 * chunk (one SSE event or NDJSON line), flushed on its own and paced by the {@link Pacer}; the next
 * is asked for only once the previous write has reached the socket, so a slow reader slows the
 * stream and a closed connection stops it. The time each write is handed to the socket goes to the
 * stream's {@link SendLog.Entry}. Runs on the channel's event loop.
 */
final class PacedStream implements ChannelFutureListener {
  private final ChannelHandlerContext ctx;
  private final List<byte[]> writes;
  private final Pacer pacer;
  private final SendLog log;
  private final SendLog.Entry entry;
  private int next;
  private boolean ended;

  private PacedStream(
      ChannelHandlerContext ctx, List<byte[]> writes, Pacer pacer, SendLog log, SendLog.Entry e) {
    this.ctx = ctx;
    this.writes = writes;
    this.pacer = pacer;
    this.log = log;
    this.entry = e;
  }

  /** Writes {@code head} and the first write of {@code stream}, and paces the rest. */
  static void start(
      ChannelHandlerContext ctx,
      HttpResponse head,
      FamilyStream stream,
      Pacer pacer,
      SendLog log,
      SendLog.Entry entry) {
    ctx.write(head);
    new PacedStream(ctx, stream.writes(), pacer, log, entry).produce();
  }

  private void produce() {
    if (!ctx.executor().inEventLoop()) {
      ctx.executor().execute(this::produce);
      return;
    }
    if (ended || !ctx.channel().isActive()) {
      return;
    }
    byte[] w = writes.get(next++);
    HttpContent content;
    if (next == writes.size()) {
      ended = true;
      content = new DefaultLastHttpContent(Unpooled.wrappedBuffer(w));
    } else {
      content = new DefaultHttpContent(Unpooled.wrappedBuffer(w));
    }
    entry.add(log.epochNanos());
    ctx.writeAndFlush(content).addListener(this);
  }

  @Override
  public void operationComplete(ChannelFuture f) {
    if (!f.isSuccess()) {
      ended = true;
      ctx.close();
      return;
    }
    if (!ended) {
      pacer.pace(next, ctx.executor(), this::produce);
    }
  }
}
