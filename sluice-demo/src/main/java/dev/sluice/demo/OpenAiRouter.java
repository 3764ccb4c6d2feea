package dev.sluice.demo;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each whole request to the endpoint for its path and method. Unknown paths get OpenAI's
 * {@code 404} error body, a known path with the wrong method {@code 405}, and a request the codec
 * could not decode {@code 400} and a closed connection. Releases every request it reads.
 */
final class OpenAiRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(OpenAiRouter.class);

  static final String CHAT_COMPLETIONS = "/v1/chat/completions";
  static final String MODELS = "/v1/models";

  private final ChatCompletionsEndpoint chat;
  private final ModelsEndpoint models;

  OpenAiRouter(ChatCompletionsEndpoint chat, ModelsEndpoint models) {
    this.chat = chat;
    this.models = models;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      FullHttpResponse r =
          error(ctx, HttpResponseStatus.BAD_REQUEST, "Malformed HTTP request.", "bad_request");
      HttpUtil.setKeepAlive(r, false);
      ctx.writeAndFlush(r);
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    HttpMethod method = request.method();
    switch (path) {
      case CHAT_COMPLETIONS:
        if (method.equals(HttpMethod.POST)) {
          chat.handle(ctx, request);
        } else {
          ctx.writeAndFlush(notAllowed(ctx, request, HttpMethod.POST));
        }
        break;
      case MODELS:
        if (method.equals(HttpMethod.GET)) {
          ctx.writeAndFlush(models.response(ctx.alloc()));
        } else {
          ctx.writeAndFlush(notAllowed(ctx, request, HttpMethod.GET));
        }
        break;
      default:
        ctx.writeAndFlush(
            error(
                ctx,
                HttpResponseStatus.NOT_FOUND,
                "Invalid URL (" + method + " " + path + ")",
                "unknown_url"));
    }
  }

  private static FullHttpResponse notAllowed(
      ChannelHandlerContext ctx, FullHttpRequest request, HttpMethod allowed) {
    FullHttpResponse r =
        error(
            ctx,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "Method " + request.method() + " is not allowed here; use " + allowed + ".",
            "method_not_allowed");
    r.headers().set(HttpHeaderNames.ALLOW, allowed.name());
    return r;
  }

  private static FullHttpResponse error(
      ChannelHandlerContext ctx, HttpResponseStatus status, String message, String code) {
    return JsonResponses.error(ctx.alloc(), status, message, "invalid_request_error", null, code);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("demo upstream: connection error", cause);
    } else {
      log.warn("demo upstream: closing a connection after an error", cause);
    }
    ctx.close();
  }
}
