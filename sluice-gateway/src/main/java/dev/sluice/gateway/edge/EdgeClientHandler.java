package dev.sluice.gateway.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * On a client's channel at the edge: hands what the client sends, its end and its failure to the
 * {@link EdgeMux} that carries it as stream {@code s} (on the same event loop).
 */
final class EdgeClientHandler extends ChannelInboundHandlerAdapter {

  private final EdgeMux mux;
  private final EdgeStream s;

  EdgeClientHandler(EdgeMux mux, EdgeStream s) {
    this.mux = mux;
    this.s = s;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      mux.clientBytes(s, buf);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    mux.clientReadDone(s);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    mux.clientGone(s, null);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    mux.clientGone(s, cause);
    ctx.close();
  }
}
