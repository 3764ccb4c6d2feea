package dev.sluice.gateway.reverse;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.Drain;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.RequestClock;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a reverse listener: one instance per client connection. For each request
 * (aggregated and validated before anything is forwarded) it identifies the tenant ({@link
 * TenantHeader}), points the connection's {@link ConnectionMeter} at the tenant's escrow, asks the
 * shared {@link Admission} stage (a spent budget is answered 429 without bothering the upstream),
 * and hands the admitted request to the connection's {@link UpstreamRelay}, which streams the
 * response back. The gateway's own answers are {@link ClientAnswers}'. The connection's state is
 * one {@link ExchangePhase}, in {@link ReverseExchange}.
 *
 * <p>Both channels read continuously (auto-read) rather than one read at a time, which with epoll
 * would cost interest-set syscalls per request. Requests on one connection are still handled one at
 * a time: a pipelined request waits in a queue, and reading pauses while one is queued. Everything
 * runs on the client channel's event loop; the upstream channel shares it.
 *
 * <p>Timeouts and caps: the connection's {@link RequestClock} answers a request head that does not
 * arrive in time with 408 and closes a keep-alive connection idle too long; its {@link
 * ConnectionCaps.Lease} refuses a source or tenant at its cap with 429 (a TLS connection at the
 * source cap is closed: nothing can be written before its handshake). Each is counted in {@code
 * sluice_connections_closed_total} and is the connection record's reason.
 */
final class ReverseProxyHandler extends ChannelInboundHandlerAdapter
    implements ConnectionMeter.Listener, RequestClock.Expiry {

  private static final Logger log = LoggerFactory.getLogger(ReverseProxyHandler.class);

  private final ListenerContext lc;
  private final ConnectionRecord record;
  private final ConnectionMeter meter;
  private final Admission admission;
  private final TenantHeader identity;
  private final ReverseExchange x = new ReverseExchange();
  private final ClientAnswers answers;
  private final UpstreamRelay relay;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private final RequestClock clock;
  private final ConnectionCaps.Lease lease;
  private final boolean direct;
  private ChannelHandlerContext ctx;

  /**
   * @param lease the connection's slots of the listener's caps
   * @param direct whether the client connected directly (its source address is capped); false for a
   *     stream of an edge link
   */
  ReverseProxyHandler(
      ListenerContext lc,
      UpstreamDialer dialer,
      ConnectionRecord record,
      ConnectionMeter meter,
      Admission admission,
      ConnectionCaps.Lease lease,
      boolean direct) {
    this.lc = lc;
    this.lease = lease;
    this.direct = direct;
    this.clock =
        new RequestClock(
            lc.config().limits().requestHead(), lc.config().limits().idle(), this, true);
    this.record = record;
    this.meter = meter;
    this.admission = admission;
    this.identity = new TenantHeader(lc);
    this.answers = new ClientAnswers(lc, record, meter, x, this::next);
    this.relay = new UpstreamRelay(lc, dialer, record, meter, x, answers, this::next);
  }

  /** The connection's head and idle clocks; their handlers go around the HTTP codec. */
  RequestClock clock() {
    return clock;
  }

  /** The phase of the connection's current exchange (for tests). */
  ExchangePhase phase() {
    return x.phase();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    answers.ctx(ctx);
    relay.ctx(ctx);
    meter.listener(this);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.increment();
    lc.meter().listenerStats().connectionsTotal.increment();
    if (direct
        && ctx.channel().remoteAddress() instanceof InetSocketAddress remote
        && !lease.source(remote.getAddress())) {
      ctx.fireChannelActive();
      refuseConnection(Reason.SOURCE_CONNECTION_LIMIT, remote.getAddress().getHostAddress());
      return;
    }
    // Read continuously: toggling epoll interest per request costs two syscalls each way.
    ctx.channel().config().setAutoRead(true);
    ctx.fireChannelActive();
  }

  /**
   * Refuses the connection for a cap: recorded, ledgered, counted, answered 429 and closed (a TLS
   * connection, whose handshake has not happened, is only closed).
   */
  private void refuseConnection(Reason reason, String detail) {
    clock.tunnel();
    lc.meter().listenerStats().closed(reason);
    if (ctx.pipeline().get(Stages.TLS) != null) {
      lc.evidence().denied(record, x.tenant, reason, detail);
      record.outcome(ConnectionRecord.Decision.DENY, reason);
      answers.close();
      return;
    }
    answers.badRequest(reason, reason.message() + ": " + detail, x.tenant);
  }

  @Override
  public void requestHeadTimedOut() {
    requestTimedOut(Reason.REQUEST_HEAD_TIMEOUT);
  }

  @Override
  public void requestBodyTimedOut() {
    requestTimedOut(Reason.REQUEST_BODY_TIMEOUT);
  }

  private void requestTimedOut(Reason reason) {
    lc.meter().listenerStats().closed(reason);
    if (x.phase().busy()) {
      record.outcome(ConnectionRecord.Decision.DENY, reason);
      answers.close();
      return;
    }
    // Nothing was answered on this request yet: tell the client why, then close (nginx, HAProxy).
    answers.badRequest(
        reason, reason.message() + " (" + lc.config().limits().requestHead() + ")", x.tenant);
  }

  @Override
  public void idleTimedOut() {
    lc.meter().listenerStats().closed(Reason.IDLE_TIMEOUT);
    record.outcome(ConnectionRecord.Decision.ALLOW, Reason.IDLE_TIMEOUT);
    answers.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.decrement();
    clock.tunnel();
    lease.release();
    relay.close();
    FullHttpRequest q;
    while ((q = queued.poll()) != null) {
      q.release();
    }
    if (x.phase().responding()) {
      record.outcome(ConnectionRecord.Decision.ERROR, Reason.CLIENT_CLOSED);
    }
    lc.evidence().closed(record);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection error on {}: {}", lc.name(), LogValue.of(cause.toString()));
    record.outcome(ConnectionRecord.Decision.ERROR, Reason.CLIENT_ERROR);
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof RequestGuard.BadRequest bad) {
      if (x.closing()) {
        return; // see handle()
      }
      record.request();
      answers.badRequest(bad.reason(), bad.message(), x.tenant);
    } else if (evt == Drain.INSTANCE) {
      x.keepAlive = false; // finish the response in progress, then close
      if (!x.phase().busy()) {
        answers.close();
      }
    } else if (evt instanceof ReverseListener.TooLarge) {
      record.request();
      answers.badRequest(Reason.REQUEST_TOO_LARGE, Reason.REQUEST_TOO_LARGE.message(), x.tenant);
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
    if (x.phase().busy()) {
      // A pipelined request: it waits for the current one, and reading stops until it is taken.
      queued.add(req);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    handle(req);
  }

  /** Takes the next request, if one was pipelined, else reads on. */
  private void next() {
    x.to(ExchangePhase.IDLE);
    FullHttpRequest q = queued.poll();
    if (q != null) {
      handle(q);
    } else {
      clock.exchangeDone();
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** Identifies the request's tenant and asks the admission stage; forwards it when granted. */
  private void handle(FullHttpRequest req) {
    if (x.closing()) {
      // The connection is being closed (an answer that closes it is on its way, e.g. a 408): what
      // the decoder still hands on, such as the partial head it flushes at close, is not a request.
      req.release();
      return;
    }
    record.request();
    if (req.decoderResult().isFailure()) {
      Throwable c = req.decoderResult().cause();
      req.release();
      answers.badRequest(
          Reason.BAD_REQUEST,
          "malformed request: " + (c == null ? "invalid" : c.getMessage()),
          x.tenant);
      return;
    }
    x.to(ExchangePhase.ADMITTING);
    x.keepAlive = HttpUtil.isKeepAlive(req);
    x.http10 = req.protocolVersion().equals(HttpVersion.HTTP_1_0);
    TenantHeader.Identity id = identity.identify(req);
    if (id.repeated() != null) {
      req.release();
      answers.badRequest(Reason.DUPLICATE_IDENTITY_HEADER, id.repeated(), x.tenant);
      return;
    }
    if (id.tenant() == null) {
      req.release();
      answers.unknownTenant(id.requested(), identity.unknown(id));
      return;
    }
    x.tenant = id.tenant();
    record.tenant(id.tenant());
    if (!lease.tenant(id.tenant())) {
      req.release();
      lc.meter().listenerStats().closed(Reason.TENANT_CONNECTION_LIMIT);
      answers.badRequest(
          Reason.TENANT_CONNECTION_LIMIT,
          Reason.TENANT_CONNECTION_LIMIT.message() + ": " + id.tenant(),
          id.tenant());
      return;
    }
    EscrowAccount account = lc.account(id.tenant());
    meter.account(account);
    String path = req.uri();
    int query = path.indexOf('?');
    x.maxTransfer =
        lc.maxTransfer()
            .forTransfer(
                id.tenant(), query < 0 ? path : path.substring(0, query), lc.clock().millis());
    meter.maxTransfer(x.maxTransfer); // a socket's or an edge stream's: both enforce it
    admission.admit(
        ctx.channel(),
        record,
        id.tenant(),
        account,
        1,
        new Admission.Verdict() {
          @Override
          public void granted() {
            relay.forward(req);
          }

          @Override
          public void denied(Refusal r) {
            req.release();
            // A halt closes the connection; a spent budget keeps it if the client asked to.
            answers.refusal(r, r.reason() == Reason.HALTED);
          }

          @Override
          public void abandoned() {
            req.release();
          }
        });
  }

  /** The client became writable again (the meter's escrow arrived, or the socket drained). */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      relay.clientWritable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void refused(ChannelHandlerContext meterCtx, Refusal r) {
    relay.meterRefused(r);
  }

  @Override
  public void wouldDeny(ChannelHandlerContext meterCtx, Refusal r) {
    lc.evidence().wouldDeny(record, x.tenant, r);
  }
}
