package dev.sluice.gateway.forward;

import dev.sluice.gateway.evidence.LogValue;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination side of an absolute-form request: hands decoded response parts to the client's
 * {@link ForwardHandler}; a malformed response, an error or a close becomes a destination failure
 * there.
 */
final class OriginHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(OriginHandler.class);

  private final ForwardHandler client;

  OriginHandler(ForwardHandler client) {
    this.client = client;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpObject o && o.decoderResult().isSuccess()) {
      client.fromOrigin(ctx.channel(), o);
      return;
    }
    ReferenceCountUtil.release(msg);
    client.originFailed(ctx.channel(), "malformed response from the destination");
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    client.originFailed(ctx.channel(), "the destination closed the connection");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("destination connection error: {}", LogValue.of(cause.toString()));
    client.originFailed(ctx.channel(), "destination connection error: " + cause.getMessage());
  }
}
