package dev.sluice.gateway.reverse;

import dev.sluice.gateway.refusal.Reason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream side of a reverse proxy: hands decoded response parts to the {@link UpstreamRelay}
 * of the client connection that borrowed the connection. While the connection idles in the {@link
 * UpstreamPool} no client is bound: anything the upstream sends then is unexpected and closes the
 * connection.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);

  private final UpstreamPool pool;
  private final UpstreamTargets.Target target;
  private UpstreamRelay client;

  UpstreamHandler(UpstreamRelay client, UpstreamPool pool, UpstreamTargets.Target target) {
    this.client = client;
    this.pool = pool;
    this.target = target;
  }

  /** Binds the connection to the client handler that borrowed it, or unbinds it (null). */
  void bind(UpstreamRelay c) {
    this.client = c;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (client == null) {
      ReferenceCountUtil.release(msg);
      ctx.close(); // an idle upstream connection must stay silent
      return;
    }
    if (msg instanceof HttpObject o) {
      if (o.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        client.upstreamFailed(ctx.channel(), Reason.UPSTREAM_MALFORMED_RESPONSE);
        return;
      }
      client.fromUpstream(ctx.channel(), o);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (client != null) {
      client.upstreamReadComplete(ctx.channel());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (client == null) {
      pool.remove(ctx.channel(), target);
    } else {
      client.upstreamFailed(ctx.channel(), Reason.UPSTREAM_CLOSED);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("upstream connection error: {}", cause.toString());
    if (client == null) {
      ctx.close();
    } else {
      client.upstreamFailed(ctx.channel(), Reason.UPSTREAM_ERROR);
    }
  }
}
