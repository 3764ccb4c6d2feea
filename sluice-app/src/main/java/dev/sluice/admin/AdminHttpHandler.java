package dev.sluice.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Takes a whole admin request off the event loop: the endpoint runs on an executor chosen by path
 * (the halt and resume endpoints have their own, so a queue of scrapes never delays the kill
 * switch), and the response is written back on the event loop. One request at a time per
 * connection: reading stops until the response is out.
 */
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final java.util.function.Supplier<Router> router;
  private final Function<String, Executor> executors;
  private final AdminTimeouts timeouts;

  /** {@code router} is read per request: a reload applied in place swaps it. */
  AdminHttpHandler(
      java.util.function.Supplier<Router> router,
      Function<String, Executor> executors,
      AdminTimeouts timeouts) {
    this.router = router;
    this.executors = executors;
    this.timeouts = timeouts;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    timeouts.requestRead();
    HttpVersion version =
        req.protocolVersion().equals(HttpVersion.HTTP_1_0)
            ? HttpVersion.HTTP_1_0
            : HttpVersion.HTTP_1_1;
    if (req.decoderResult().isFailure()) {
      AdminExchange bad = AdminExchange.get("");
      try {
        Replies.error(bad, new ApiError(400, "bad_request", "malformed HTTP request"));
      } catch (java.io.IOException e) {
        bad.respond(400, Replies.TEXT, new byte[0]);
      }
      write(ctx, bad, version, false);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    QueryStringDecoder target = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8);
    String path = target.path();
    AdminExchange ex =
        new AdminExchange(
            req.method().name(),
            path,
            target.parameters(),
            req.headers(),
            ByteBufUtil.getBytes(req.content()));
    ctx.channel().config().setAutoRead(false);
    try {
      executors
          .apply(path)
          .execute(
              () -> {
                router.get().handle(ex);
                ctx.executor().execute(() -> write(ctx, ex, version, keepAlive));
              });
    } catch (RejectedExecutionException stopping) {
      ctx.close();
    }
  }

  private void write(ChannelHandlerContext ctx, AdminExchange ex, HttpVersion v, boolean keep) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            v, HttpResponseStatus.valueOf(ex.status()), Unpooled.wrappedBuffer(ex.responseBody()));
    res.headers().set(ex.responseHeaders());
    HttpUtil.setContentLength(res, ex.responseBody().length);
    if (!keep) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (v.equals(HttpVersion.HTTP_1_0)) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    ctx.writeAndFlush(res)
        .addListener(
            f -> {
              Runnable after = ex.afterResponse();
              if (after != null) {
                after.run();
              }
              if (!keep || !f.isSuccess()) {
                ctx.close();
                return;
              }
              timeouts.responded();
              ctx.channel().config().setAutoRead(true);
              ctx.read();
            });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
