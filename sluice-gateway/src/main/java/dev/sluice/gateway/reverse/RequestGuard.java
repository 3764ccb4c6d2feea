package dev.sluice.gateway.reverse;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses requests whose framing a downstream server could read differently than we do (request
 * smuggling, see {@link RequestFraming}) and requests whose target is not a path, before any byte
 * is forwarded. A refused request becomes a {@link BadRequest} event for the proxy handler (which
 * answers 400 and closes); everything after it on the connection is discarded.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {

  /** A request that must not be forwarded; {@code reason} is shown to the client. */
  record BadRequest(String reason) {}

  private boolean discarding;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req) {
      String problem = problem(req);
      if (problem != null) {
        discarding = true;
        ReferenceCountUtil.release(msg);
        ctx.fireUserEventTriggered(new BadRequest(problem));
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  static String problem(HttpRequest req) {
    String framing = RequestFraming.problem(req);
    if (framing != null) {
      return framing;
    }
    if (!req.uri().startsWith("/")) {
      return "request target must be a path (origin-form)";
    }
    return null;
  }
}
