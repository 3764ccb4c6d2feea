package dev.sluice.gateway.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The destination side of a CONNECT tunnel: relays what the destination sends to the inside client
 * (not egress, so not metered), reading on only after each write completed. When the destination
 * closes, what was written is flushed to the client and the client is closed.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {

  private final Channel client;

  TunnelRelay(Channel client) {
    this.client = client;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!client.isActive()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    client
        .writeAndFlush(msg)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    ctx.read();
                  } else {
                    ctx.close();
                    client.close();
                  }
                });
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
