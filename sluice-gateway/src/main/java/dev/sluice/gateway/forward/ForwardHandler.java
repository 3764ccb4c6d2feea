package dev.sluice.gateway.forward;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.RequestClock;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.reverse.JsonResponses;
import dev.sluice.gateway.transfer.MaxTransfer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inside client's connection to a forward listener. Requests are taken one at a time: each
 * passes {@link Intake} (or is refused with its reason), then {@link Admission} (halt, escrow),
 * then the {@link Dialer} (resolution, its lookup paid for by the request's account through the
 * {@link LookupGate}, address check, connection), and then becomes either a {@link Tunnel} or an
 * {@link Exchange} on a destination connection that later requests to the same {@code host:port}
 * may reuse.
 *
 * <p>Egress is what goes to the destination, so the {@link EgressMeter} sits at the head of each
 * destination channel ({@link ForwardListener#originPipeline}) and charges (zone, tenant,
 * destination pattern). The next chunk is read from the inside only when every write to the
 * destination completed, and the meter completes a write only once it is paid: a client that
 * outruns its budget is slowed down, not buffered. What comes back to the client is not egress, nor
 * are the gateway's own answers (400, 403, 407, 429, 502, 503), so none of it is metered.
 *
 * <p>Everything runs on the client's event loop; destination channels share it. Nothing here
 * throws: a failure becomes a refusal or a close, a counter, and the connection's ledger entry.
 * Timeouts and caps are the {@link ForwardBounds}'.
 */
final class ForwardHandler extends ChannelInboundHandlerAdapter
    implements ConnectionMeter.Listener, Dialer.Outcome, Tunnel.Failure, ForwardBounds.Connection {

  private static final Logger log = LoggerFactory.getLogger(ForwardHandler.class);

  private final ListenerContext lc;
  private final Intake intake;
  private final Admission admission;
  private final Dialer dialer;

  private final ArrayDeque<Object> inbound = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private InetSocketAddress source;
  private ForwardRecord record;
  private ForwardState state = ForwardState.IDLE;
  private PendingRequest pending;
  private Origin origin;
  private Exchange exchange;
  private Tunnel tunnel;
  private boolean pumping;

  /** The record made by the edge link's pipeline ({@code peer: edge}), or null. */
  private final ConnectionRecord linkRecord;

  private final ForwardBounds bounds;

  /** {@code lease}: the connection's slots of the listener's caps. */
  ForwardHandler(
      ListenerContext lc,
      Intake intake,
      Admission admission,
      Dialer dialer,
      ConnectionRecord linkRecord,
      ConnectionCaps.Lease lease) {
    this.lc = lc;
    this.bounds = new ForwardBounds(lc, this, lease);
    this.intake = intake;
    this.admission = admission;
    this.dialer = dialer;
    this.linkRecord = linkRecord;
  }

  Channel channel() {
    return ctx.channel();
  }

  /** The connection's head and idle clocks; their handlers go around the HTTP decoder. */
  RequestClock clock() {
    return bounds.clock();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    source = (InetSocketAddress) ctx.channel().remoteAddress();
    bounds.added(ctx);
    record = linkRecord == null ? new ForwardRecord(lc, source) : new ForwardRecord(lc, linkRecord);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.increment();
    lc.meter().listenerStats().connectionsTotal.increment();
    ctx.fireChannelActive();
    if (linkRecord == null && source != null && !bounds.source(source.getAddress())) {
      return; // refused: the source is at its cap
    }
    ctx.read();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!bounds.tunnelIdle(evt)) {
      ctx.fireUserEventTriggered(evt);
    }
  }

  /** The request was sent to the destination whole: its response must start in time. */
  void requestSent(Exchange e) {
    if (state == ForwardState.EXCHANGE && exchange == e) {
      bounds.requestSent(e);
    }
  }

  @Override
  public void end(ConnectionRecord.Decision decision, Reason reason) {
    if (state != ForwardState.CLOSING) {
      record.record().outcome(decision, reason);
      answer(null);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.decrement();
    bounds.closed();
    if (state == ForwardState.EXCHANGE || state == ForwardState.ADMITTING) {
      record.error(Reason.CLIENT_CLOSED);
    }
    Tunnel t = state == ForwardState.TUNNEL ? tunnel : null;
    state = ForwardState.CLOSING;
    releaseHeld();
    exchange = null;
    if (t != null) {
      t.clientClosed();
      origin = null;
    } else {
      closeOrigin();
    }
    record.closed();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection error on {}: {}", lc.name(), LogValue.of(cause.toString()));
    record.error(Reason.CLIENT_ERROR);
    answer(null);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (state == ForwardState.CLOSING) {
        ReferenceCountUtil.release(msg);
      } else if (state == ForwardState.TUNNEL && tunnel.isOpen()) {
        if (msg instanceof ByteBuf b) {
          tunnel.write(b);
        } else {
          ReferenceCountUtil.release(msg);
        }
      } else {
        inbound.add(msg);
        pump();
      }
    } catch (RuntimeException e) {
      log.warn("forward listener {}: unexpected failure, closing the connection", lc.name(), e);
      lc.evidence().stats().denied(Reason.INTERNAL_ERROR);
      record.error(Reason.INTERNAL_ERROR);
      answer(null);
    }
  }

  /**
   * Handles what was read, as far as the state allows, then asks for more if it may. Not reentrant:
   * removing the decoder for a CONNECT hands its leftover bytes to {@link #channelRead} from inside
   * this loop, and they must wait in line.
   */
  private void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      while (!inbound.isEmpty()) {
        if (state == ForwardState.IDLE) {
          Object m = inbound.poll();
          if (m instanceof HttpRequest req) {
            onRequest(req);
          } else {
            ReferenceCountUtil.release(m); // the end of a request already refused or answered
          }
        } else if (state == ForwardState.EXCHANGE && exchange.wantsBody()) {
          exchange.body(inbound.poll());
        } else {
          break;
        }
      }
    } finally {
      pumping = false;
    }
    readMore();
  }

  /** Reads the next chunk from the client when nothing read is waiting and no write is pending. */
  void readMore() {
    if (!inbound.isEmpty()) {
      return;
    }
    if (state == ForwardState.IDLE
        || (state == ForwardState.EXCHANGE && exchange.wantsBody() && exchange.writesDone())) {
      ctx.read();
    }
  }

  // ---- intake and admission ----

  private void onRequest(HttpRequest req) {
    record.request();
    boolean connect = req.method().equals(HttpMethod.CONNECT);
    if (connect && ctx.pipeline().get(ForwardListener.DECODER) != null) {
      // Whatever follows a CONNECT is tunnel data (or nothing), never HTTP: stop decoding now,
      // before bytes sent ahead of our answer are read as a request. They come here as bytes.
      ctx.pipeline().remove(ForwardListener.DECODER);
    }
    Intake.Decision d = intake.decide(req, source == null ? null : source.getAddress());
    record.identified(d);
    if (d.refusal() != null) {
      ReferenceCountUtil.release(req);
      refuse(d.refusal(), d.detail());
      return;
    }
    if (!bounds.tenant(d.tenant())) {
      ReferenceCountUtil.release(req);
      return;
    }
    RequestTarget t = d.target();
    EscrowAccount account = lc.escrow().account(lc.tree().path(lc.zone(), d.tenant(), d.pattern()));
    boolean reusable = !connect && origin != null && origin.reusableFor(t.authority());
    if (!reusable) {
      closeOrigin();
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    boolean expectContinue = !connect && HttpUtil.is100ContinueExpected(req);
    long need = 1; // a tunnel's size is unknown: it needs escrow, and pays as it goes
    MaxTransfer limit = lc.maxTransfer().forTransfer(d.tenant(), t.host(), lc.clock().millis());
    if (!connect) {
      ProxyHeaders.request(req, t);
      need = ProxyHeaders.knownSize(req);
      if (limit.refuses(need)) {
        ReferenceCountUtil.release(req);
        refuse(Reason.TRANSFER_TOO_LARGE, limit.tooLarge(need).detail());
        return;
      }
    }
    state = ForwardState.ADMITTING;
    pending = new PendingRequest(req, t, account, keepAlive, expectContinue, limit);
    Channel reuse = reusable ? origin.channel() : null;
    ChannelHandler pipeline =
        ForwardListener.originPipeline(
            lc.meter(), record.record(), account, this, connect, lc.detector());
    admission.admit(
        ctx.channel(),
        record.record(),
        d.tenant(),
        account,
        need,
        new Admission.Verdict() {
          @Override
          public void granted() {
            dialer.dial(
                ctx.channel(),
                t,
                new LookupGate.Charge(record.record(), d.tenant(), account),
                reuse,
                pipeline,
                ForwardHandler.this);
          }

          @Override
          public void denied(Refusal r) {
            // Recorded by the admission stage; the held request is released by answer().
            answer(JsonResponses.refusal(r, lc.clock().millis()));
          }
        });
  }

  @Override
  public void admitted(Channel ch) {
    PendingRequest p = pending;
    pending = null;
    if (state != ForwardState.ADMITTING || p == null) {
      if (origin == null || origin.channel() != ch) {
        ch.close();
      }
      return;
    }
    if (origin == null || origin.channel() != ch) {
      EgressMeter meter = ForwardListener.meterOf(ch);
      if (meter == null || !ch.isActive()) {
        ch.close();
        ReferenceCountUtil.release(p.request());
        refuse(Reason.DESTINATION_FAILED, "the destination closed the connection at once");
        return;
      }
      origin = new Origin(ch, meter, p.target().authority(), p.target().tunnel());
    }
    origin.meter().account(p.account());
    origin.meter().maxTransfer(p.transferLimit());
    p.bindStream(ctx.pipeline(), this);
    if (p.target().tunnel()) {
      ReferenceCountUtil.release(p.request());
      bounds.tunnelOpened(ctx.pipeline());
      state = ForwardState.TUNNEL;
      tunnel = new Tunnel(ctx, origin, this);
      tunnel.open(inbound);
    } else {
      state = ForwardState.EXCHANGE;
      exchange = new Exchange(this, ctx, origin, p.request(), p.keepAlive());
      exchange.start(p.request(), p.expectContinue());
      pump();
    }
  }

  @Override
  public void refused(Refusal r) {
    if (state != ForwardState.ADMITTING) {
      return;
    }
    record.refused(r, false);
    answer(ForwardResponses.refusal(r, lc.clock().millis()));
  }

  @Override
  public void tunnelFailed(Reason reason) {
    if (state != ForwardState.CLOSING) {
      record.error(reason);
      answer(null);
    }
  }

  // ---- absolute-form exchanges (called by Exchange and OriginHandler) ----

  void fromOrigin(Channel ch, HttpObject msg) {
    if (exchange == null || origin == null || origin.channel() != ch) {
      ReferenceCountUtil.release(msg);
      return;
    }
    bounds.responding();
    exchange.fromOrigin(msg);
  }

  /** The destination connection {@code ch} closed, failed or sent something unreadable. */
  void originFailed(Channel ch, String why) {
    if (origin == null || origin.channel() != ch) {
      ch.close();
      return;
    }
    Exchange e = exchange;
    if (e != null && !e.originEndedEarly()) {
      return; // the whole response arrived; the exchange ends once it is written
    }
    origin = null;
    ch.close();
    if (e == null || state != ForwardState.EXCHANGE) {
      return; // an idle keep-alive connection ended
    }
    exchange = null;
    if (e.responseNotStarted()) {
      refuse(Reason.DESTINATION_FAILED, why);
    } else {
      record.error(Reason.DESTINATION_FAILED);
      answer(null);
    }
  }

  void originWriteFailed(Exchange e) {
    if (state == ForwardState.EXCHANGE && exchange == e) {
      originFailed(e.origin().channel(), "cannot write to the destination");
    }
  }

  void clientWriteFailed() {
    record.error(Reason.CLIENT_WRITE_FAILED);
    answer(null);
  }

  void exchangeDone(Exchange e, boolean reuseOrigin, boolean keepClient) {
    if (exchange != e || state != ForwardState.EXCHANGE) {
      return;
    }
    exchange = null;
    bounds.responding();
    if (!reuseOrigin) {
      closeOrigin();
    } else if (origin != null) {
      origin.channel().read(); // while idle, notice when the destination closes it
    }
    if (keepClient) {
      state = ForwardState.IDLE;
      bounds.exchangeDone();
      pump();
    } else {
      state = ForwardState.CLOSING;
      releaseHeld();
      ctx.close();
    }
  }

  // ---- refusals ----

  @Override
  public void refused(ChannelHandlerContext meterCtx, Refusal r) {
    if (state == ForwardState.CLOSING) {
      return;
    }
    boolean nothingLeft = ((ConnectionMeter) meterCtx.handler()).chargedSinceMark() == 0;
    record.refused(r, !nothingLeft);
    if (state == ForwardState.EXCHANGE && exchange.responseNotStarted() && nothingLeft) {
      // Nothing of this request reached the destination: the client can still be told why.
      answer(JsonResponses.refusal(r, lc.clock().millis()));
    } else {
      answer(null);
    }
  }

  @Override
  public void wouldDeny(ChannelHandlerContext meterCtx, Refusal r) {
    record.wouldDeny(r);
  }

  /** Refuses the current request for {@code reason}: ledgered, counted, answered, closed. */
  @Override
  public void refuse(Reason reason, String detail) {
    bounds.refused(reason);
    record.refused(reason, detail);
    answer(ForwardResponses.error(reason, detail));
  }

  /**
   * Writes the gateway's own answer to the client (not egress) and closes; null just closes both
   * sides.
   */
  private void answer(FullHttpResponse res) {
    state = ForwardState.CLOSING;
    bounds.responding();
    releaseHeld();
    exchange = null;
    closeOrigin();
    if (res == null) {
      ctx.close();
    } else if (ctx.pipeline().get(ForwardListener.ENCODER) == null) {
      res.release();
      ctx.close();
    } else {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void closeOrigin() {
    Origin o = origin;
    origin = null;
    if (o != null) {
      o.channel().close();
    }
  }

  private void releaseHeld() {
    Object m;
    while ((m = inbound.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    if (pending != null) {
      ReferenceCountUtil.release(pending.request());
      pending = null;
    }
  }
}
