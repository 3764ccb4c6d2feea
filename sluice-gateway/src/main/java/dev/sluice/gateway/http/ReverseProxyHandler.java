package dev.sluice.gateway.http;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.Drain;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a reverse listener: one instance per client connection. For each request
 * (aggregated and validated before anything is forwarded) it identifies the tenant, points the
 * connection's {@link ConnectionMeter} at the tenant's escrow, makes sure the tenant has escrow (a
 * spent budget is answered 429 without bothering the upstream), forwards the request on the
 * connection's upstream channel, and streams the response back as it arrives: what one read of the
 * upstream delivered is flushed at once (each SSE event leaves as soon as it arrived), and the
 * upstream is read only while the client is writable (the meter makes it unwritable while bytes
 * wait for escrow).
 *
 * <p>Both channels read continuously (auto-read) rather than one read at a time, which with epoll
 * would cost interest-set syscalls per request. Requests on one connection are still handled one at
 * a time: a pipelined request waits in a queue, and reading pauses while one is queued. Everything
 * runs on the client channel's event loop; the upstream channel shares it.
 */
final class ReverseProxyHandler extends ChannelInboundHandlerAdapter
    implements ConnectionMeter.Listener {

  private static final Logger log = LoggerFactory.getLogger(ReverseProxyHandler.class);

  private final ListenerContext lc;
  private final UpstreamTargets targets;
  private final UpstreamPool pool;
  private final SslContext upstreamTls;
  private final ConnectionRecord record;
  private final ConnectionMeter meter;
  private final Admission admission;

  private ChannelHandlerContext ctx;
  private Channel upstream;
  private UpstreamTargets.Target upstreamTarget;
  private String tenant;
  private boolean keepAlive;
  private boolean awaitingResponse;
  private boolean headersSent;
  private boolean upstreamKeepAlive;
  private boolean closing;
  private boolean busy;
  private FullHttpRequest retry;
  private final java.util.ArrayDeque<FullHttpRequest> queued = new java.util.ArrayDeque<>();
  private boolean lastMethodWasHead;
  private boolean reserving;
  private final java.util.ArrayDeque<HttpObject> held = new java.util.ArrayDeque<>();

  ReverseProxyHandler(
      ListenerContext lc,
      UpstreamTargets targets,
      UpstreamPool pool,
      SslContext upstreamTls,
      ConnectionRecord record,
      ConnectionMeter meter,
      Admission admission) {
    this.lc = lc;
    this.admission = admission;
    this.targets = targets;
    this.pool = pool;
    this.upstreamTls = upstreamTls;
    this.record = record;
    this.meter = meter;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    meter.listener(this);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.increment();
    lc.meter().listenerStats().connectionsTotal.increment();
    // Read continuously: toggling epoll interest per request costs two syscalls each way.
    ctx.channel().config().setAutoRead(true);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.decrement();
    closeUpstream();
    FullHttpRequest q;
    while ((q = queued.poll()) != null) {
      q.release();
    }
    if (awaitingResponse && !closing) {
      record.outcome(ConnectionRecord.Decision.ERROR, Reason.CLIENT_CLOSED);
    }
    lc.evidence().closed(record);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection error on {}: {}", lc.name(), cause.toString());
    record.outcome(ConnectionRecord.Decision.ERROR, Reason.CLIENT_ERROR);
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof RequestGuard.BadRequest bad) {
      record.request();
      answerAndClose(Reason.BAD_REQUEST, bad.reason());
    } else if (evt == Drain.INSTANCE) {
      keepAlive = false; // finish the response in progress, then close
      if (!busy) {
        closing = true;
        ctx.close();
      }
    } else if (evt instanceof ReverseListener.TooLarge) {
      record.request();
      answerAndClose(Reason.REQUEST_TOO_LARGE, Reason.REQUEST_TOO_LARGE.message());
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (busy) {
      // A pipelined request: it waits for the current one, and reading stops until it is taken.
      queued.add(req);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    busy = true;
    handle(req);
  }

  /** Takes the next request, if one was pipelined, else reads on. */
  private void next() {
    busy = false;
    FullHttpRequest q = queued.poll();
    if (q != null) {
      busy = true;
      handle(q);
    } else {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void handle(FullHttpRequest req) {
    record.request();
    if (req.decoderResult().isFailure() || closing) {
      Throwable c = req.decoderResult().cause();
      req.release();
      answerAndClose(
          Reason.BAD_REQUEST, "malformed request: " + (c == null ? "invalid" : c.getMessage()));
      return;
    }
    keepAlive = HttpUtil.isKeepAlive(req);
    String header = lc.config().tenantHeader();
    String requested = header == null ? null : req.headers().get(header);
    String t = lc.tenantOrDefault(requested == null || requested.isEmpty() ? null : requested);
    if (t == null) {
      req.release();
      lc.evidence()
          .denied(record, requested, Reason.UNKNOWN_TENANT, "no default tenant in the zone");
      record.outcome(ConnectionRecord.Decision.DENY, Reason.UNKNOWN_TENANT);
      answer(
          JsonResponses.error(
              Reason.UNKNOWN_TENANT,
              "no tenant "
                  + (requested == null ? "given in " + header : requested)
                  + " in zone "
                  + lc.zone()
                  + " and no default tenant",
              ""),
          !keepAlive);
      return;
    }
    tenant = t;
    record.tenant(t);
    EscrowAccount account = lc.account(t);
    meter.account(account);
    admission.admit(
        ctx.channel(),
        record,
        t,
        account,
        1,
        new Admission.Verdict() {
          @Override
          public void granted() {
            forward(req);
          }

          @Override
          public void denied(Refusal r) {
            req.release();
            // A halt closes the connection; a spent budget keeps it if the client asked to.
            answerRefusal(r, r.reason() == Reason.HALTED);
          }

          @Override
          public void abandoned() {
            req.release();
          }
        });
  }

  // ---- forwarding ----

  private void forward(FullHttpRequest req) {
    if (upstream == null || !upstream.isActive()) {
      connect(req, 0);
      return;
    }
    send(req);
  }

  private static boolean isIdempotent(HttpMethod m) {
    return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS);
  }

  private void dropRetry() {
    if (retry != null) {
      retry.release();
      retry = null;
    }
  }

  /** Borrows an idle connection to the next upstream, or connects (trying each in turn). */
  private void connect(FullHttpRequest req, int attempt) {
    UpstreamTargets.Target target = targets.next();
    Channel idle = attempt == 0 ? pool.acquire(ctx.channel().eventLoop(), target) : null;
    if (idle != null) {
      ((UpstreamHandler) idle.pipeline().get("relay")).bind(this);
      upstream = idle;
      upstreamTarget = target;
      // A pooled connection may have been closed by the upstream a moment ago: keep a copy of
      // the request to retry once on a fresh connection if it fails before any response.
      retry = req.retainedDuplicate();
      send(req);
      return;
    }
    connectTo(req, attempt, target);
  }

  private void connectFresh(FullHttpRequest req, int attempt) {
    connectTo(req, attempt, targets.next());
  }

  private void connectTo(FullHttpRequest req, int attempt, UpstreamTargets.Target target) {
    Bootstrap b =
        new Bootstrap()
            .group(ctx.channel().eventLoop())
            .option(ChannelOption.SO_RCVBUF, Transport.RECEIVE_BUFFER)
            .option(ChannelOption.RECVBUF_ALLOCATOR, Transport.readSizes())
            .channel(lc.transport().socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(ReverseListener.upstreamPipeline(this, pool, target, upstreamTls));
    ChannelFuture f = b.connect(target.host(), target.port());
    f.addListener(
        (ChannelFutureListener)
            cf -> {
              if (cf.isSuccess()) {
                upstream = cf.channel();
                upstreamTarget = target;
                send(req);
              } else if (!ctx.channel().isActive()) {
                req.release();
              } else if (attempt + 1 < targets.size()) {
                log.debug("upstream {} refused: {}", target, cf.cause().toString());
                connectFresh(req, attempt + 1);
              } else {
                req.release();
                log.warn(
                    "no upstream of {} accepted a connection: {}",
                    lc.name(),
                    cf.cause().toString());
                record.outcome(ConnectionRecord.Decision.ERROR, Reason.UPSTREAM_UNAVAILABLE);
                answer(
                    JsonResponses.error(
                        Reason.UPSTREAM_UNAVAILABLE, Reason.UPSTREAM_UNAVAILABLE.message(), ""),
                    !keepAlive);
              }
            });
  }

  private void send(FullHttpRequest req) {
    UpstreamTargets.Target t = upstreamTarget;
    lastMethodWasHead = req.method().equals(HttpMethod.HEAD);
    HttpHeaders h = req.headers();
    HopByHop.strip(h);
    h.remove(HttpHeaderNames.EXPECT);
    h.set(HttpHeaderNames.HOST, t.authority());
    InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
    if (client != null) {
      String prior = h.get("X-Forwarded-For");
      String ip = client.getAddress().getHostAddress();
      h.set("X-Forwarded-For", prior == null ? ip : prior + ", " + ip);
    }
    h.set("X-Forwarded-Proto", lc.config().tls() == null ? "http" : "https");
    if (!t.basePath().isEmpty()) {
      req.setUri(t.basePath() + req.uri());
    }
    awaitingResponse = true;
    headersSent = false;
    meter.markMessageStart();
    upstream
        .writeAndFlush(req)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    upstreamFailed(f.channel(), Reason.UPSTREAM_WRITE_FAILED);
                  } else if (retry != null && !isIdempotent(retry.method())) {
                    // Sent: the upstream may have acted on it; never send it twice.
                    dropRetry();
                  }
                });
  }

  // ---- responses from the upstream (called by UpstreamHandler on the same event loop) ----

  void fromUpstream(Channel from, HttpObject msg) {
    if (from != upstream || !awaitingResponse || closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (reserving) {
      held.add(msg); // parts decoded from the same read while the response is being paid for
      return;
    }
    relay(msg);
  }

  private void relay(HttpObject msg) {
    if (msg instanceof HttpResponse res) {
      if (res.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
        ReferenceCountUtil.release(msg);
        return;
      }
      dropRetry();
      prepareHeaders(res);
      long need = wholeResponseSize(res);
      EscrowAccount account = meter.account();
      if (need > 0 && (account.available() < need || lc.clock().millis() >= account.expiresAt())) {
        // A response of known length is paid for as a whole before its first byte leaves, so a
        // budget that cannot pay for it answers 429 instead of cutting the body short.
        reserving = true;
        upstream.config().setAutoRead(false);
        account
            .refill(need)
            .whenComplete((o, e) -> ctx.executor().execute(() -> afterResponseReserve(res, o)));
        return;
      }
    }
    if (msg instanceof LastHttpContent) {
      ctx.write(msg)
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (f.isSuccess()) {
                      responseDone();
                    } // else: refused or the client went away, handled where it happened
                  });
    } else {
      ctx.write(msg);
    }
  }

  /**
   * The upstream delivered what one read had: flush it to the client (each SSE event leaves as soon
   * as it arrived) and read on while the client is writable.
   */
  void upstreamReadComplete(Channel from) {
    if (from != upstream || reserving || closing) {
      return;
    }
    ctx.flush(); // may complete the response and give the connection back to the pool
    if (upstream == from) {
      // Back-pressure: stop reading the upstream while the client (or its meter) cannot take more.
      from.config().setAutoRead(ctx.channel().isWritable());
    }
  }

  /** The client became writable again (the meter's escrow arrived, or the socket drained). */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && !reserving && upstream != null) {
      upstream.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  private void prepareHeaders(HttpResponse res) {
    upstreamKeepAlive = HttpUtil.isKeepAlive(res);
    HttpHeaders h = res.headers();
    HopByHop.strip(h);
    boolean bodyless =
        res.status().code() == 204 || res.status().code() == 304 || lastMethodWasHead;
    if (!bodyless
        && !HttpUtil.isContentLengthSet(res)
        && !HttpUtil.isTransferEncodingChunked(res)) {
      HttpUtil.setTransferEncodingChunked(res, true);
    }
    HttpUtil.setKeepAlive(res, keepAlive);
    headersSent = true;
  }

  /**
   * Bytes the whole response will take on the wire when its length is known (headers estimated
   * generously), or 0 when it streams with unknown length.
   */
  private long wholeResponseSize(HttpResponse res) {
    if (!HttpUtil.isContentLengthSet(res) || lastMethodWasHead) {
      return 0;
    }
    long headers = 64;
    for (var e : res.headers()) {
      headers += e.getKey().length() + e.getValue().length() + 4;
    }
    return HttpUtil.getContentLength(res, 0L) + headers;
  }

  private void afterResponseReserve(HttpResponse res, EscrowAccount.Outcome o) {
    reserving = false;
    if (!ctx.channel().isActive() || !awaitingResponse || closing) {
      ReferenceCountUtil.release(res);
      releaseHeld();
      return;
    }
    if (o != null && o.kind() == EscrowAccount.Outcome.Kind.GRANTED || lc.meter().reportMode()) {
      ctx.write(res);
      HttpObject next;
      while (!reserving && (next = held.poll()) != null) {
        relay(next);
      }
      upstreamReadComplete(upstream);
      return;
    }
    ReferenceCountUtil.release(res);
    releaseHeld();
    headersSent = false; // nothing of it was handed to the codec
    refused(ctx, Refusal.of(o));
  }

  private void releaseHeld() {
    HttpObject m;
    while ((m = held.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }

  private void responseDone() {
    awaitingResponse = false;
    if (upstreamKeepAlive && upstream != null) {
      // The response ended cleanly: the connection goes back to the listener's pool.
      Channel u = upstream;
      upstream = null;
      ((UpstreamHandler) u.pipeline().get("relay")).bind(null);
      pool.release(u, upstreamTarget);
    } else {
      closeUpstream();
    }
    if (keepAlive && !closing) {
      next();
    } else {
      closing = true;
      ctx.close();
    }
  }

  /** The upstream connection {@code from} closed or failed. */
  void upstreamFailed(Channel from, Reason reason) {
    if (from != upstream) {
      return; // an earlier upstream connection, already let go
    }
    upstream = null;
    from.close();
    if (!awaitingResponse || closing) {
      dropRetry();
      return;
    }
    if (retry != null && !headersSent) {
      FullHttpRequest again = retry;
      retry = null;
      log.debug("pooled upstream connection failed ({}); retrying on a new one", reason);
      connectFresh(again, 0);
      return;
    }
    awaitingResponse = false;
    record.outcome(ConnectionRecord.Decision.ERROR, reason);
    if (!headersSent) {
      answer(
          JsonResponses.error(Reason.UPSTREAM_FAILED, Reason.UPSTREAM_FAILED.message(), ""), true);
    } else {
      closing = true;
      ctx.close();
    }
  }

  // ---- refusals ----

  @Override
  public void refused(ChannelHandlerContext meterCtx, Refusal r) {
    lc.evidence().denied(record, tenant, r);
    closeUpstream();
    awaitingResponse = false;
    boolean nothingLeft = meter.chargedSinceMark() == 0;
    FullHttpResponse res = nothingLeft ? JsonResponses.refusal(r, lc.clock().millis()) : null;
    record.outcome(
        nothingLeft ? ConnectionRecord.Decision.DENY : ConnectionRecord.Decision.CUT, r.reason());
    closing = true;
    if (res == null) {
      ctx.close();
      return;
    }
    if (headersSent) {
      // The codec is mid-message; start a fresh one so the denial is a well-formed response.
      ReverseListener.resetCodec(ctx.pipeline());
    }
    HttpUtil.setKeepAlive(res, false);
    meter.control(() -> ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE));
  }

  @Override
  public void wouldDeny(ChannelHandlerContext meterCtx, Refusal r) {
    lc.evidence().wouldDeny(record, tenant, r);
  }

  /**
   * Answers a refusal decided by the admission stage before forwarding (halt, spent budget, store
   * down), which has already recorded it.
   */
  private void answerRefusal(Refusal r, boolean close) {
    FullHttpResponse res = JsonResponses.refusal(r, lc.clock().millis());
    if (res == null) {
      closing = true;
      ctx.close();
      return;
    }
    answer(res, close || !keepAlive);
  }

  /**
   * Refuses a request the gateway cannot take (malformed, too large): recorded, answered, closed.
   */
  private void answerAndClose(Reason reason, String message) {
    lc.evidence().denied(record, tenant, reason, null);
    record.outcome(ConnectionRecord.Decision.DENY, reason);
    answer(JsonResponses.error(reason, message, ""), true);
  }

  /** Writes a response of the gateway's own, paid from the control allowance. */
  private void answer(FullHttpResponse res, boolean close) {
    meter.markMessageStart();
    HttpUtil.setKeepAlive(res, !close);
    if (close) {
      closing = true;
    }
    meter.control(
        () ->
            ctx.writeAndFlush(res)
                .addListener(
                    (ChannelFutureListener)
                        f -> {
                          if (close || !f.isSuccess()) {
                            ctx.close();
                          } else {
                            next();
                          }
                        }));
  }

  private void closeUpstream() {
    releaseHeld();
    dropRetry();
    Channel u = upstream;
    upstream = null;
    if (u != null) {
      u.close();
    }
  }
}
