package dev.sluice.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The upstream side of a reverse proxy: hands decoded response parts to the client's handler. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);

  private final ReverseProxyHandler client;

  UpstreamHandler(ReverseProxyHandler client) {
    this.client = client;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpObject o) {
      if (o.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        client.upstreamFailed(ctx.channel(), "upstream_malformed_response");
        return;
      }
      client.fromUpstream(ctx.channel(), o);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    client.upstreamReadComplete(ctx.channel());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    client.upstreamFailed(ctx.channel(), "upstream_closed");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("upstream connection error: {}", cause.toString());
    client.upstreamFailed(ctx.channel(), "upstream_error");
  }
}
