package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageCodec;
import java.util.List;

/**
 * The Netty handler of a version 2 link's framing: reads the peer's stream into {@link
 * MuxFrameDecoder.Received} messages and writes {@link MuxMessage}s (and frame 0: HELLO, {@link
 * MuxAccept}, REFUSE, ERROR) as this side's stream; {@link ByteBuf}s pass through (the gateway
 * encodes its batches itself with {@link #encoder()}, to know their exact size before it pays).
 *
 * <p>Never lets an exception out: a rejected or truncated peer stream, or any exception from the
 * channel, becomes a {@link LinkFailure} user event (after the messages of the frames before it),
 * an ERROR frame (PROTOCOL with the rejection's text, or INTERNAL) if this side may still write
 * one, and a close; later input is discarded.
 */
public final class MuxFrameCodec extends ByteToMessageCodec<Object> {

  private final MuxFrameEncoder encoder;
  private final MuxFrameDecoder decoder;
  private boolean failed;

  /**
   * @param local this side
   * @param checksums at the gateway: whether frames after frame 0 carry a CRC (its choice, told in
   *     ACCEPT); at the edge ignored (ACCEPT says)
   */
  public MuxFrameCodec(LinkSide local, boolean checksums) {
    this.encoder = new MuxFrameEncoder(local);
    this.encoder.checksums(checksums);
    this.decoder = new MuxFrameDecoder(local.peer(), checksums);
  }

  public MuxFrameEncoder encoder() {
    return encoder;
  }

  public MuxFrameDecoder decoder() {
    return decoder;
  }

  public boolean failed() {
    return failed;
  }

  @Override
  public boolean acceptOutboundMessage(Object msg) {
    return msg instanceof MuxMessage
        || msg instanceof MuxAccept
        || msg instanceof LinkMessage.Hello
        || msg instanceof LinkMessage.Refuse
        || msg instanceof LinkMessage.LinkError;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
    if (msg instanceof MuxMessage m) {
      encoder.encode(m, out);
    } else {
      encoder.handshake(msg, out);
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      decoder.decode(in, out);
    } catch (LinkFormatException e) {
      fail(ctx, in, out, e);
    }
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
      fail(ctx, in, out, e);
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

  private void fail(
      ChannelHandlerContext ctx, ByteBuf in, List<Object> out, LinkFormatException e) {
    failed = true;
    in.skipBytes(in.readableBytes());
    for (Object m : out) {
      ctx.fireChannelRead(m);
    }
    out.clear();
    ctx.fireUserEventTriggered(new LinkFailure(e));
    sendErrorAndClose(ctx, ErrorCode.PROTOCOL, e.getMessage());
  }

  /** Sends ERROR (if this side may still write one) and closes. */
  public void sendErrorAndClose(ChannelHandlerContext ctx, ErrorCode code, String reason) {
    MuxMessage.Error err = new MuxMessage.Error(code, reason);
    ByteBuf buf = ctx.alloc().buffer();
    try {
      if (!ctx.channel().isActive()) {
        buf.release();
        ctx.close();
        return;
      }
      if (!encoder.started()) {
        encoder.handshake(
            new LinkMessage.LinkError(code, EdgeLink.truncateUtf8(reason, 1024)), buf);
      } else if (encoder.canWrite(err)) {
        encoder.encode(err, buf);
      } else {
        buf.release();
        ctx.close();
        return;
      }
    } catch (RuntimeException impossible) {
      buf.release();
      ctx.close();
      return;
    }
    ctx.writeAndFlush(buf).addListener(ChannelFutureListener.CLOSE);
  }
}
