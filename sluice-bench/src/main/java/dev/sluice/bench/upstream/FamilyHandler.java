package dev.sluice.bench.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.FamilyStream;
import dev.sluice.codec.sample.HttpFraming;
import dev.sluice.codec.sample.Tokenizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Answers one request at a time: {@code POST} to a family's endpoint ({@link FamilyRouter}) gets a
 * held-out answer picked by the request's hash, built in that family's shape and streamed by a
 * {@link PacedStream}, with the head its server sends plus {@value #STREAM_HEADER} naming the
 * stream; {@code GET /sluice/sends/ID} gives that stream's send times ({@link SendLog}). Anything
 * else gets a JSON error. Building a body tokenizes its answer on the event loop (a millisecond or
 * two for a long answer), which a benchmark upstream can afford. One per connection (the send log
 * is shared).
 */
final class FamilyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final String STREAM_HEADER = "X-Sluice-Stream";
  static final String SENDS_PATH = "/sluice/sends/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FamilyUpstream.Options options;
  private final SendLog log;

  FamilyHandler(FamilyUpstream.Options options, SendLog log) {
    this.options = options;
    this.log = log;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    String path = new QueryStringDecoder(req.uri()).path();
    if (req.method().equals(HttpMethod.GET) && path.startsWith(SENDS_PATH)) {
      sends(ctx, path.substring(SENDS_PATH.length()));
      return;
    }
    if (!req.method().equals(HttpMethod.POST)) {
      error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, req.method() + " " + path + ": use POST");
      return;
    }
    String body = req.content().toString(StandardCharsets.UTF_8);
    FamilyRequest r;
    try {
      r =
          FamilyRouter.route(
              path,
              req.headers().get(FamilyRouter.FAMILY_HEADER),
              body,
              options.clock().millis() / 1000);
    } catch (FamilyRouter.Refused e) {
      error(ctx, HttpResponseStatus.valueOf(e.status), e.getMessage());
      return;
    }
    Tokenizer tokenizer = options.tokenizer();
    String answer = options.answers().get(Math.floorMod(r.key(), options.answers().size()));
    FamilyStream stream =
        r.family()
            .build(
                answer,
                tokenizer,
                new SplittableRandom(r.key()),
                r.options().withPromptTokens(tokenizer.count(body)));
    SendLog.Entry entry = log.open(stream);
    PacedStream.start(
        ctx, head(r.family(), stream, entry.id), stream, options.pacers().get(), log, entry);
  }

  /** The head the family's server sends, with this stream's id. */
  private HttpResponse head(Family family, FamilyStream stream, long id) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    for (Family.Header h : family.headers()) {
      String value = h.value();
      if (value.equals(Family.Header.DATE)) {
        value = HttpFraming.date(options.clock().millis() / 1000);
      } else if (value.equals(Family.Header.FRAMING)) {
        value = family.streaming() ? "chunked" : Integer.toString(stream.size());
      }
      head.headers().add(h.name(), value);
    }
    head.headers().add(STREAM_HEADER, Long.toString(id));
    return head;
  }

  private void sends(ChannelHandlerContext ctx, String id) {
    long n;
    try {
      n = Long.parseLong(id);
    } catch (NumberFormatException e) {
      error(ctx, HttpResponseStatus.BAD_REQUEST, "stream id must be a number, got \"" + id + "\"");
      return;
    }
    log.get(n)
        .ifPresentOrElse(
            e -> ctx.writeAndFlush(json(HttpResponseStatus.OK, SendLog.json(e))),
            () -> error(ctx, HttpResponseStatus.NOT_FOUND, "no stream " + n + " (or evicted)"));
  }

  private static void error(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
    String body =
        JSON.createObjectNode()
            .set("error", JSON.createObjectNode().put("message", message))
            .toString();
    ctx.writeAndFlush(json(status, body));
  }

  private static FullHttpResponse json(HttpResponseStatus status, String body) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    HttpUtil.setContentLength(r, r.content().readableBytes());
    return r;
  }
}
