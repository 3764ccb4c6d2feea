package dev.sluice.gateway.forward;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.admission.Admission;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.listener.ConnectionCaps;
import dev.sluice.gateway.listener.Deadline;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.RequestClock;
import dev.sluice.gateway.listener.Stages;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.reverse.JsonResponses;
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
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inside client's connection to a forward listener. Requests are taken one at a time: each
 * passes {@link Intake} (or is refused with its reason), then {@link Admission} (halt, escrow),
 * then the {@link Dialer} (resolution, address check, connection), and then becomes either a {@link
 * Tunnel} or an {@link Exchange} on a destination connection that later requests to the same {@code
 * host:port} may reuse.
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
 *
 * <p>Timeouts and caps ({@code timeouts}, {@code connection_limits}): the {@link RequestClock}
 * answers a request head that does not arrive in time with 408 and closes a keep-alive connection
 * idle too long; a destination that does not connect, or does not start its response, in time is
 * answered 504; a quiet tunnel is closed on both sides; a source or tenant at its cap is answered
 * 429. Each is counted in {@code sluice_connections_closed_total} and is the record's reason.
 */
final class ForwardHandler extends ChannelInboundHandlerAdapter
    implements ConnectionMeter.Listener, Dialer.Outcome, Tunnel.Failure, RequestClock.Expiry {

  /** Reasons that close the connection for a timeout or a cap, counted as such. */
  private static final Set<Reason> CLOSES =
      EnumSet.of(
          Reason.REQUEST_HEAD_TIMEOUT,
          Reason.UPSTREAM_CONNECT_TIMEOUT,
          Reason.UPSTREAM_FIRST_BYTE_TIMEOUT,
          Reason.SOURCE_CONNECTION_LIMIT,
          Reason.TENANT_CONNECTION_LIMIT);

  private static final Logger log = LoggerFactory.getLogger(ForwardHandler.class);

  private enum State {
    /** Waiting for the next request. */
    IDLE,
    /** A request is between intake and its destination connection (or its tunnel's 200). */
    ADMITTING,
    /** An absolute-form request is being forwarded or answered. */
    EXCHANGE,
    /** Bytes are relayed both ways. */
    TUNNEL,
    /** Refused or failed: nothing more is read or forwarded. */
    CLOSING
  }

  /**
   * A request being admitted, with what the client asked for before its head was rewritten: to keep
   * the connection open, and an interim 100 Continue.
   */
  private record Pending(
      HttpRequest request,
      RequestTarget target,
      EscrowAccount account,
      boolean keepAlive,
      boolean expectContinue) {}

  private final ListenerContext lc;
  private final Intake intake;
  private final Admission admission;
  private final Dialer dialer;
  private final ArrayDeque<Object> inbound = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private InetSocketAddress source;
  private ForwardRecord record;
  private State state = State.IDLE;
  private Pending pending;
  private Origin origin;
  private Exchange exchange;
  private Tunnel tunnel;
  private boolean pumping;

  /** The record made by the edge link's pipeline ({@code peer: edge}), or null. */
  private final ConnectionRecord linkRecord;

  private final ConnectionCaps.Lease lease;
  private final RequestClock clock;
  private Deadline firstByte;

  /**
   * @param linkRecord the record made by the edge link's pipeline ({@code peer: edge}), or null for
   *     a client's own connection (whose source address is capped)
   * @param lease the connection's slots of the listener's caps
   */
  ForwardHandler(
      ListenerContext lc,
      Intake intake,
      Admission admission,
      Dialer dialer,
      ConnectionRecord linkRecord,
      ConnectionCaps.Lease lease) {
    this.lc = lc;
    this.lease = lease;
    this.clock =
        new RequestClock(
            lc.config().limits().requestHead(), lc.config().limits().idle(), this, false);
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
    return clock;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    source = (InetSocketAddress) ctx.channel().remoteAddress();
    firstByte = new Deadline(ctx.executor());
    record = linkRecord == null ? new ForwardRecord(lc, source) : new ForwardRecord(lc, linkRecord);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.increment();
    lc.meter().listenerStats().connectionsTotal.increment();
    ctx.fireChannelActive();
    if (linkRecord == null && source != null && !lease.source(source.getAddress())) {
      clock.tunnel();
      refuse(Reason.SOURCE_CONNECTION_LIMIT, source.getAddress().getHostAddress());
      return;
    }
    ctx.read();
  }

  @Override
  public void requestHeadTimedOut() {
    if (state == State.IDLE) {
      // Nothing was answered on this request yet: tell the client why, then close.
      refuse(Reason.REQUEST_HEAD_TIMEOUT, "within " + lc.config().limits().requestHead());
    } else {
      lc.meter().listenerStats().closed(Reason.REQUEST_HEAD_TIMEOUT);
      record.record().outcome(ConnectionRecord.Decision.DENY, Reason.REQUEST_HEAD_TIMEOUT);
      closeBoth();
    }
  }

  @Override
  public void requestBodyTimedOut() {
    // Not timed on forward listeners (the meter paces their bodies); see RequestClock.
  }

  @Override
  public void idleTimedOut() {
    lc.meter().listenerStats().closed(Reason.IDLE_TIMEOUT);
    record.record().outcome(ConnectionRecord.Decision.ALLOW, Reason.IDLE_TIMEOUT);
    closeBoth();
  }

  /** A tunnel passed no byte either way for {@code timeouts.tunnel_idle}: both sides close. */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (state == State.TUNNEL) {
        lc.meter().listenerStats().closed(Reason.TUNNEL_IDLE_TIMEOUT);
        record.record().outcome(ConnectionRecord.Decision.ALLOW, Reason.TUNNEL_IDLE_TIMEOUT);
        closeBoth();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /** The request was sent to the destination whole: its response must start in time. */
  void requestSent(Exchange e) {
    if (state == State.EXCHANGE && exchange == e) {
      firstByte.arm(lc.config().limits().upstreamFirstByte(), () -> firstByteTimedOut(e));
    }
  }

  private void firstByteTimedOut(Exchange e) {
    if (state == State.EXCHANGE && exchange == e && e.responseNotStarted()) {
      refuse(
          Reason.UPSTREAM_FIRST_BYTE_TIMEOUT,
          e.origin().authority()
              + ": no response within "
              + lc.config().limits().upstreamFirstByte());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.decrement();
    clock.tunnel();
    firstByte.cancel();
    lease.release();
    if (state == State.EXCHANGE || state == State.ADMITTING) {
      record.error(Reason.CLIENT_CLOSED);
    }
    Tunnel t = state == State.TUNNEL ? tunnel : null;
    state = State.CLOSING;
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
    closeBoth();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (state == State.CLOSING) {
        ReferenceCountUtil.release(msg);
      } else if (state == State.TUNNEL && tunnel.isOpen()) {
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
      closeBoth();
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
        if (state == State.IDLE) {
          Object m = inbound.poll();
          if (m instanceof HttpRequest req) {
            onRequest(req);
          } else {
            ReferenceCountUtil.release(m); // the end of a request already refused or answered
          }
        } else if (state == State.EXCHANGE && exchange.wantsBody()) {
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
    if (state == State.IDLE
        || (state == State.EXCHANGE && exchange.wantsBody() && exchange.writesDone())) {
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
    if (d.target() != null) {
      record.destination(d.target());
    }
    if (d.tenant() != null) {
      record.tenant(d.tenant());
    }
    if (d.refusal() != null) {
      ReferenceCountUtil.release(req);
      refuse(d.refusal(), d.detail());
      return;
    }
    if (d.tenant() != null && !lease.tenant(d.tenant())) {
      ReferenceCountUtil.release(req);
      refuse(Reason.TENANT_CONNECTION_LIMIT, d.tenant());
      return;
    }
    RequestTarget t = d.target();
    EscrowAccount account = lc.escrow().account(lc.tree().path(lc.zone(), d.tenant(), d.pattern()));
    boolean reusable =
        origin != null
            && !connect
            && !origin.tunnel()
            && origin.authority().equals(t.authority())
            && origin.channel().isActive();
    if (!reusable) {
      closeOrigin();
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    boolean expectContinue = !connect && HttpUtil.is100ContinueExpected(req);
    long need = 1; // a tunnel's size is unknown: it needs escrow, and pays as it goes
    if (!connect) {
      ProxyHeaders.request(req, t);
      need = ProxyHeaders.knownSize(req);
    }
    state = State.ADMITTING;
    pending = new Pending(req, t, account, keepAlive, expectContinue);
    Channel reuse = reusable ? origin.channel() : null;
    ChannelHandler pipeline =
        ForwardListener.originPipeline(lc.meter(), record.record(), account, this, connect);
    admission.admit(
        ctx.channel(),
        record.record(),
        d.tenant(),
        account,
        need,
        new Admission.Verdict() {
          @Override
          public void granted() {
            dialer.dial(ctx.channel(), t, reuse, pipeline, ForwardHandler.this);
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
    Pending p = pending;
    pending = null;
    if (state != State.ADMITTING || p == null) {
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
    if (ctx.pipeline().get("meter") instanceof ConnectionMeter link) {
      link.account(p.account()); // peer: edge: the link toward the edge pays for this exchange too
    }
    if (p.target().tunnel()) {
      ReferenceCountUtil.release(p.request());
      clock.tunnel();
      ctx.pipeline()
          .addFirst(Stages.TUNNEL_IDLE, Stages.tunnelIdle(lc.config().limits().tunnelIdle()));
      state = State.TUNNEL;
      tunnel = new Tunnel(ctx, origin, this);
      tunnel.open(inbound);
    } else {
      state = State.EXCHANGE;
      exchange = new Exchange(this, ctx, origin, p.request(), p.keepAlive());
      exchange.start(p.request(), p.expectContinue());
      pump();
    }
  }

  @Override
  public void refused(Reason reason, String detail) {
    refuse(reason, detail);
  }

  @Override
  public void tunnelFailed(Reason reason) {
    if (state != State.CLOSING) {
      record.error(reason);
      closeBoth();
    }
  }

  // ---- absolute-form exchanges (called by Exchange and OriginHandler) ----

  void fromOrigin(Channel ch, HttpObject msg) {
    if (exchange == null || origin == null || origin.channel() != ch) {
      ReferenceCountUtil.release(msg);
      return;
    }
    firstByte.cancel();
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
    if (e == null || state != State.EXCHANGE) {
      return; // an idle keep-alive connection ended
    }
    exchange = null;
    if (e.responseNotStarted()) {
      refuse(Reason.DESTINATION_FAILED, why);
    } else {
      record.error(Reason.DESTINATION_FAILED);
      closeBoth();
    }
  }

  void originWriteFailed(Exchange e) {
    if (state == State.EXCHANGE && exchange == e) {
      originFailed(e.origin().channel(), "cannot write to the destination");
    }
  }

  void clientWriteFailed() {
    record.error(Reason.CLIENT_WRITE_FAILED);
    closeBoth();
  }

  void exchangeDone(Exchange e, boolean reuseOrigin, boolean keepClient) {
    if (exchange != e || state != State.EXCHANGE) {
      return;
    }
    exchange = null;
    firstByte.cancel();
    if (!reuseOrigin) {
      closeOrigin();
    } else if (origin != null) {
      origin.channel().read(); // while idle, notice when the destination closes it
    }
    if (keepClient) {
      state = State.IDLE;
      clock.exchangeDone();
      pump();
    } else {
      state = State.CLOSING;
      releaseHeld();
      ctx.close();
    }
  }

  // ---- refusals ----

  @Override
  public void refused(ChannelHandlerContext meterCtx, Refusal r) {
    if (state == State.CLOSING) {
      return;
    }
    boolean nothingLeft = ((ConnectionMeter) meterCtx.handler()).chargedSinceMark() == 0;
    record.refused(r, !nothingLeft);
    if (state == State.EXCHANGE && exchange.responseNotStarted() && nothingLeft) {
      // Nothing of this request reached the destination: the client can still be told why.
      answer(JsonResponses.refusal(r, lc.clock().millis()));
    } else {
      closeBoth();
    }
  }

  @Override
  public void wouldDeny(ChannelHandlerContext meterCtx, Refusal r) {
    record.wouldDeny(r);
  }

  /** Refuses the current request for {@code reason}: ledgered, counted, answered, closed. */
  private void refuse(Reason reason, String detail) {
    if (CLOSES.contains(reason)) {
      lc.meter().listenerStats().closed(reason);
    }
    record.refused(reason, detail);
    answer(ForwardResponses.error(reason, detail));
  }

  /** Writes the gateway's own answer to the client (not egress) and closes; null just closes. */
  private void answer(FullHttpResponse res) {
    state = State.CLOSING;
    firstByte.cancel();
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

  private void closeBoth() {
    state = State.CLOSING;
    firstByte.cancel();
    releaseHeld();
    exchange = null;
    closeOrigin();
    ctx.close();
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
