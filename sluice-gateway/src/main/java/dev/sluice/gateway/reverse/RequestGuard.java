package dev.sluice.gateway.reverse;

import dev.sluice.gateway.refusal.Reason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses requests whose framing a downstream server could read differently than we do (request
 * smuggling, see {@link RequestFraming}), requests with more than one Host ({@link
 * Reason#DUPLICATE_IDENTITY_HEADER}, on HTTP/1.0 too) and requests whose target is not a path,
 * before any byte is forwarded. (A repeated tenant header is refused where the tenant is read, in
 * {@link TenantHeader}.) A refused request becomes a {@link BadRequest} event for the proxy handler
 * (which answers 400 and closes); everything after it on the connection is discarded.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {

  /** A request that must not be forwarded, why, and the {@code message} shown to the client. */
  record BadRequest(Reason reason, String message) {}

  private boolean discarding;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req) {
      BadRequest problem = problem(req);
      if (problem != null) {
        discarding = true;
        ReferenceCountUtil.release(msg);
        ctx.fireUserEventTriggered(problem);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  static BadRequest problem(HttpRequest req) {
    if (!req.decoderResult().isFailure()) {
      String repeated = RequestFraming.repeated(req.headers(), HttpHeaderNames.HOST);
      if (repeated != null) {
        return new BadRequest(Reason.DUPLICATE_IDENTITY_HEADER, repeated);
      }
    }
    String framing = RequestFraming.problem(req);
    if (framing != null) {
      return new BadRequest(Reason.BAD_REQUEST, framing);
    }
    if (!req.uri().startsWith("/")) {
      return new BadRequest(Reason.BAD_REQUEST, "request target must be a path (origin-form)");
    }
    return null;
  }
}
