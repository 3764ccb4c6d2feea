package dev.sluice.gateway.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Refuses requests whose framing a downstream server could read differently than we do (request
 * smuggling), before any byte is forwarded: both Content-Length and Transfer-Encoding, more than
 * one Content-Length or Transfer-Encoding, a Transfer-Encoding other than exactly {@code chunked},
 * a missing or repeated Host on HTTP/1.1, and requests the decoder already marked invalid. A
 * refused request becomes a {@link BadRequest} event for the proxy handler (which answers 400 and
 * closes); everything after it on the connection is discarded.
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
    if (req.decoderResult().isFailure()) {
      Throwable c = req.decoderResult().cause();
      return "malformed request: " + (c == null ? "invalid" : c.getMessage());
    }
    HttpHeaders h = req.headers();
    List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
    List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!cl.isEmpty() && !te.isEmpty()) {
      return "both Content-Length and Transfer-Encoding";
    }
    if (cl.size() > 1 || (cl.size() == 1 && cl.get(0).contains(","))) {
      return "more than one Content-Length";
    }
    if (cl.size() == 1 && !cl.get(0).matches("[0-9]{1,18}")) {
      return "invalid Content-Length";
    }
    if (te.size() > 1) {
      return "more than one Transfer-Encoding";
    }
    if (te.size() == 1 && !te.get(0).equalsIgnoreCase("chunked")) {
      return "unsupported Transfer-Encoding " + te.get(0);
    }
    if (req.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      List<String> host = h.getAll(HttpHeaderNames.HOST);
      if (host.size() != 1 || host.get(0).isBlank()) {
        return host.isEmpty() ? "missing Host" : "invalid or repeated Host";
      }
    }
    if (!req.uri().startsWith("/")) {
      return "request target must be a path (origin-form)";
    }
    return null;
  }
}
