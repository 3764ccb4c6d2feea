package dev.sluice.gateway.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream side of a forwarded TCP connection: relays to the client, flushing at the end of
 * each read and reading on only while the client is writable, and passes the upstream's FIN on.
 */
final class UpstreamSide extends ChannelInboundHandlerAdapter {

  private final Channel client;
  private final HalfClose halfClose;

  UpstreamSide(Channel client, HalfClose halfClose) {
    this.client = client;
    this.halfClose = halfClose;
  }

  /** The upstream shut down its sending side: pass the FIN on to the client. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      halfClose.finish(client);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!client.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    client
        .write(msg)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    ctx.close();
                    client.close();
                  }
                });
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    client.flush();
    if (client.isWritable()) {
      ctx.read();
    }
  }

  /** The upstream channel became writable again: the client may be read again. */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      client.read();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (client.isActive()) {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
