package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Ping;
import dev.sluice.gateway.edge.LinkMessage.Pong;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import java.util.List;

/**
 * The Netty handler of one link connection's framing: writes {@link LinkMessage}s as this side's
 * stream ({@link LinkFrameEncoder}) and reads the peer's stream into {@link LinkMessage}s ({@link
 * LinkFrameDecoder}). It answers PINGs itself (while this side has not ended), and passes every
 * other message on. It never lets an exception out of the event loop: a rejected peer stream, a
 * stream that ends early, or any exception from the channel becomes a {@link LinkFailure} user
 * event, an attempt to send an ERROR frame (PROTOCOL with the rejection's text, or INTERNAL), and a
 * close; later input is discarded. Messages from frames before the rejected one are passed on
 * first, in order. A message this side may not write (misplaced, not canonical) fails its write
 * promise and writes nothing.
 */
public final class LinkFrameCodec extends ByteToMessageCodec<LinkMessage> {

  private final LinkFrameEncoder encoder;
  private final LinkFrameDecoder decoder;
  private boolean failed;

  /** The codec for the side {@code local} of a link. */
  public LinkFrameCodec(LinkSide local) {
    super(LinkMessage.class);
    this.encoder = new LinkFrameEncoder(local);
    this.decoder = new LinkFrameDecoder(local.peer());
  }

  /** Every byte this side wrote on the link so far, magic and framing included. */
  public long bytesWritten() {
    return encoder.bytesWritten();
  }

  /** Offset in the peer's stream up to which it was read and checked. */
  public long bytesRead() {
    return decoder.offset();
  }

  /** True once the link failed (see {@link LinkFailure}). */
  public boolean failed() {
    return failed;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, LinkMessage msg, ByteBuf out) {
    encoder.encode(msg, out);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int first = out.size();
    try {
      decoder.decode(in, out);
    } catch (LinkFormatException e) {
      fail(ctx, in, out, first, e);
      return;
    }
    answerPings(ctx, out, first);
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    decode(ctx, in, out);
    if (failed) {
      return;
    }
    try {
      decoder.endOfStream(in);
    } catch (LinkFormatException e) {
      fail(ctx, in, out, out.size(), e);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (failed) {
      return;
    }
    failed = true;
    ctx.fireUserEventTriggered(new LinkFailure(cause));
    sendErrorAndClose(ctx, ErrorCode.INTERNAL, "link failed: " + cause.getClass().getSimpleName());
  }

  private void answerPings(ChannelHandlerContext ctx, List<Object> out, int first) {
    for (int i = first; i < out.size(); i++) {
      if (out.get(i) instanceof Ping p) {
        out.remove(i--);
        if (encoder.canWrite(FrameType.PONG)) {
          ByteBuf buf = ctx.alloc().buffer(EdgeLink.frameSize(8));
          encoder.encode(new Pong(p.value()), buf);
          ctx.writeAndFlush(buf);
        }
      }
    }
  }

  private void fail(
      ChannelHandlerContext ctx, ByteBuf in, List<Object> out, int first, LinkFormatException e) {
    failed = true;
    in.skipBytes(in.readableBytes());
    answerPings(ctx, out, first);
    for (Object m : out) {
      ctx.fireChannelRead(m);
    }
    out.clear();
    ctx.fireUserEventTriggered(new LinkFailure(e));
    sendErrorAndClose(ctx, ErrorCode.PROTOCOL, e.getMessage());
  }

  private void sendErrorAndClose(ChannelHandlerContext ctx, ErrorCode code, String reason) {
    if (!ctx.channel().isActive() || !encoder.canWrite(FrameType.ERROR)) {
      ctx.close();
      return;
    }
    ByteBuf buf = ctx.alloc().buffer();
    try {
      encoder.encode(new LinkError(code, EdgeLink.truncateUtf8(reason, EdgeLink.MAX_REASON)), buf);
    } catch (RuntimeException impossible) {
      buf.release();
      ctx.close();
      return;
    }
    ctx.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
  }
}
