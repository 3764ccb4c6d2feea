package dev.sluice.gateway.forward;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.ListenerContext;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.http.JsonResponses;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.Refusal;
import dev.sluice.gateway.meter.RefusedException;
import dev.sluice.halt.HaltState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.LinkedHashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One inside client's connection to a forward listener. Requests are taken one at a time: each
 * passes {@link Intake} (or is refused with its reason), then {@link Admission} (escrow,
 * resolution, address check, connection), and then either becomes a CONNECT tunnel or an {@link
 * Exchange} on a destination connection that later requests to the same {@code host:port} may
 * reuse.
 *
 * <p>Egress is what goes to the destination, so the {@link EgressMeter} sits at the head of each
 * destination channel's pipeline (below the HTTP client codec, so the re-encoded request head and
 * body framing are charged; for a tunnel, the raw bytes, TLS records included). The path charged is
 * (zone, tenant, destination pattern). The next chunk is read from the inside only when every write
 * to the destination completed, and the meter completes a write only once it is paid: a client that
 * outruns its budget is slowed down, not buffered. What comes back to the client is not egress; so
 * are the gateway's own answers (403, 407, 429, ...), which are not metered either.
 *
 * <p>Everything runs on the client's event loop; destination channels share it. Nothing here
 * throws: a failure becomes a refusal or a close, a counter, and the connection's ledger entry.
 */
final class ForwardHandler extends ChannelInboundHandlerAdapter
    implements EgressMeter.Listener, Admission.Outcome {

  private static final Logger log = LoggerFactory.getLogger(ForwardHandler.class);

  /** Most distinct destinations named in a connection's record. */
  private static final int MAX_RECORDED_DESTINATIONS = 16;

  private enum State {
    /** Waiting for the next request. */
    IDLE,
    /** A request is between intake and its destination connection. */
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
  private final ArrayDeque<Object> inbound = new ArrayDeque<>();
  private final Set<String> destinations = new LinkedHashSet<>();
  private ChannelHandlerContext ctx;
  private ConnectionRecord record;
  private InetAddress source;
  private State state = State.IDLE;
  private String tenant;
  private Pending pending;
  private Origin origin;
  private Exchange exchange;
  private int tunnelWrites;
  private boolean moreDestinations;
  private boolean pumping;

  ForwardHandler(ListenerContext lc, Intake intake, Admission admission) {
    this.lc = lc;
    this.intake = intake;
    this.admission = admission;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
    source = remote == null ? null : remote.getAddress();
    record =
        new ConnectionRecord(
            lc.name(),
            lc.zone(),
            remote == null ? "-" : source.getHostAddress() + ":" + remote.getPort(),
            lc.clock().millis(),
            lc.clock().nanos());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.increment();
    lc.meter().listenerStats().connectionsTotal.increment();
    ctx.read();
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    lc.meter().listenerStats().connectionsOpen.decrement();
    boolean tunnel = state == State.TUNNEL;
    if (state == State.EXCHANGE || state == State.ADMITTING) {
      record.outcome(ConnectionRecord.Decision.ERROR, "client_closed");
    }
    state = State.CLOSING;
    releaseHeld();
    exchange = null;
    Origin o = origin;
    origin = null;
    if (o != null && tunnel) {
      // What the client sent before closing still leaves (paid for), then the destination closes.
      o.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else if (o != null) {
      o.channel().close();
    }
    if (!destinations.isEmpty()) {
      record.destination(String.join(",", destinations) + (moreDestinations ? ",..." : ""));
    }
    lc.evidence().closed(record);
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection error on {}: {}", lc.name(), cause.toString());
    record.outcome(ConnectionRecord.Decision.ERROR, "client_error");
    closeBoth();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      switch (state) {
        case CLOSING -> ReferenceCountUtil.release(msg);
        case TUNNEL -> {
          if (msg instanceof ByteBuf b) {
            toTunnel(b);
          } else {
            ReferenceCountUtil.release(msg);
          }
        }
        default -> {
          inbound.add(msg);
          pump();
        }
      }
    } catch (RuntimeException e) {
      internalError(e);
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
      drainInbound();
    } finally {
      pumping = false;
    }
    readMore();
  }

  private void drainInbound() {
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
        return;
      }
    }
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
    Intake.Decision d = intake.decide(req, source);
    if (d.target() != null) {
      noteDestination(d.target());
    }
    if (d.tenant() != null) {
      tenant = d.tenant();
      record.tenant(tenant);
    }
    if (d.refusal() != null) {
      ReferenceCountUtil.release(req);
      refuse(d.refusal(), d.detail());
      return;
    }
    if (HaltState.halted(lc.siteHalt(), lc.zoneHalt())) {
      ReferenceCountUtil.release(req);
      HaltState.Halt h = lc.siteHalt().on() ? lc.siteHalt().halt() : lc.zoneHalt().halt();
      overBudget(Refusal.halted(h));
      return;
    }
    RequestTarget t = d.target();
    EscrowAccount account = lc.escrow().account(lc.tree().path(lc.zone(), tenant, d.pattern()));
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
    long need = 1;
    if (!connect) {
      ProxyHeaders.request(req, t);
      need = ProxyHeaders.knownSize(req);
    }
    state = State.ADMITTING;
    pending = new Pending(req, t, account, keepAlive, expectContinue);
    admission.admit(
        ctx.channel(),
        account,
        need,
        t,
        reusable ? origin.channel() : null,
        originPipeline(connect, account),
        this);
  }

  @Override
  public void admitted(Channel ch) {
    Pending p = pending;
    pending = null;
    if (state != State.ADMITTING || p == null) {
      if (origin == null || origin.channel() != ch) {
        ch.close();
      }
      if (p != null) {
        ReferenceCountUtil.release(p.request());
      }
      return;
    }
    if (origin == null || origin.channel() != ch) {
      EgressMeter meter = ch.pipeline().get(EgressMeter.class);
      if (meter == null || !ch.isActive()) {
        ch.close();
        ReferenceCountUtil.release(p.request());
        refuse(ForwardReason.DESTINATION_FAILED, "the destination closed the connection at once");
        return;
      }
      origin = new Origin(ch, meter, p.target().authority(), p.target().tunnel());
    }
    origin.meter().account(p.account());
    if (p.target().tunnel()) {
      ReferenceCountUtil.release(p.request());
      openTunnel();
    } else {
      state = State.EXCHANGE;
      exchange = new Exchange(this, ctx, origin, p.request(), p.keepAlive());
      exchange.start(p.request(), p.expectContinue());
      pump();
    }
  }

  @Override
  public void refused(ForwardReason reason, String detail) {
    if (pending != null) {
      ReferenceCountUtil.release(pending.request());
      pending = null;
    }
    refuse(reason, detail);
  }

  @Override
  public void overBudget(Refusal r) {
    if (pending != null) {
      ReferenceCountUtil.release(pending.request());
      pending = null;
    }
    lc.evidence().denied(record, tenant, r);
    record.outcome(ConnectionRecord.Decision.DENY, r.reason());
    answer(JsonResponses.refusal(r, lc.clock().millis()));
  }

  @Override
  public void wouldDeny(Refusal r) {
    lc.evidence().wouldDeny(record, tenant, r);
  }

  private ChannelHandler originPipeline(boolean tunnel, EscrowAccount account) {
    ForwardHandler self = this;
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        EgressMeter meter = new EgressMeter(lc.meter(), record, account);
        meter.listener(self);
        ch.pipeline().addLast("meter", meter);
        if (tunnel) {
          ch.pipeline().addLast("relay", new TunnelRelay(ctx.channel()));
        } else {
          ch.pipeline()
              .addLast(
                  "http",
                  new HttpClientCodec(
                      new HttpDecoderConfig()
                          .setMaxInitialLineLength(8192)
                          .setMaxHeaderSize(32 * 1024)
                          .setMaxChunkSize(64 * 1024),
                      false,
                      false));
          ch.pipeline().addLast("origin", new OriginHandler(self));
        }
      }
    };
  }

  // ---- tunnel ----

  private void openTunnel() {
    Origin o = origin;
    o.meter().markMessageStart();
    ctx.writeAndFlush(ForwardResponses.established())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess() || state != State.ADMITTING || origin != o) {
                    closeBoth();
                    return;
                  }
                  state = State.TUNNEL;
                  ctx.pipeline().remove(ForwardListener.ENCODER);
                  Object m;
                  while ((m = inbound.poll()) != null) {
                    if (m instanceof ByteBuf b) {
                      toTunnel(b); // sent ahead of our answer (e.g. a TLS ClientHello)
                    } else {
                      ReferenceCountUtil.release(m);
                    }
                  }
                  o.channel().read();
                  if (tunnelWrites == 0) {
                    ctx.read();
                  }
                });
  }

  private void toTunnel(ByteBuf b) {
    Origin o = origin;
    if (o == null) {
      b.release();
      return;
    }
    tunnelWrites++;
    o.channel()
        .writeAndFlush(b)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  tunnelWrites--;
                  if (f.cause() instanceof RefusedException) {
                    return; // the meter refused: refused(..) decides, or the close that dropped it
                  }
                  if (!f.isSuccess()) {
                    record.outcome(ConnectionRecord.Decision.ERROR, "destination_write_failed");
                    closeBoth();
                  } else if (tunnelWrites == 0 && state == State.TUNNEL) {
                    ctx.read();
                  }
                });
  }

  // ---- absolute-form exchanges (called by Exchange and OriginHandler) ----

  void fromOrigin(Channel ch, HttpObject msg) {
    if (exchange == null || origin == null || origin.channel() != ch) {
      ReferenceCountUtil.release(msg);
      return;
    }
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
      refuse(ForwardReason.DESTINATION_FAILED, why);
    } else {
      record.outcome(ConnectionRecord.Decision.ERROR, ForwardReason.DESTINATION_FAILED.type());
      closeBoth();
    }
  }

  void originWriteFailed(Exchange e) {
    if (state != State.EXCHANGE || exchange != e) {
      return; // refused by the meter (already answered) or the client went away
    }
    originFailed(e.origin().channel(), "cannot write to the destination");
  }

  void clientWriteFailed() {
    record.outcome(ConnectionRecord.Decision.ERROR, "client_write_failed");
    closeBoth();
  }

  void exchangeDone(Exchange e, boolean reuseOrigin, boolean keepClient) {
    if (exchange != e || state != State.EXCHANGE) {
      return;
    }
    exchange = null;
    if (!reuseOrigin) {
      closeOrigin();
    }
    if (keepClient) {
      state = State.IDLE;
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
    lc.evidence().denied(record, tenant, r);
    EgressMeter meter = (EgressMeter) meterCtx.handler();
    boolean nothingLeft = meter.chargedSinceMark() == 0;
    if (state == State.EXCHANGE
        && exchange != null
        && exchange.responseNotStarted()
        && nothingLeft) {
      // Nothing of this request reached the destination: the client can still be told why.
      record.outcome(ConnectionRecord.Decision.DENY, r.reason());
      answer(JsonResponses.refusal(r, lc.clock().millis()));
      return;
    }
    record.outcome(
        nothingLeft ? ConnectionRecord.Decision.DENY : ConnectionRecord.Decision.CUT, r.reason());
    closeBoth();
  }

  @Override
  public void wouldDeny(ChannelHandlerContext meterCtx, Refusal r) {
    lc.evidence().wouldDeny(record, tenant, r);
  }

  /** Refuses the current request for {@code reason}: ledgered, counted, answered, closed. */
  private void refuse(ForwardReason reason, String detail) {
    if (reason.policy()) {
      lc.evidence().denied(record, tenant, reason.type(), detail);
      record.outcome(ConnectionRecord.Decision.DENY, reason.type());
    } else {
      log.debug("{} on {}: {}", reason.type(), lc.name(), detail);
      lc.evidence().stats().denied(reason.type());
      record.outcome(ConnectionRecord.Decision.ERROR, reason.type());
    }
    answer(ForwardResponses.error(reason, detail));
  }

  /** Writes the gateway's own answer to the client (not egress) and closes; null just closes. */
  private void answer(FullHttpResponse res) {
    state = State.CLOSING;
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

  private void internalError(RuntimeException e) {
    log.warn("forward listener {}: unexpected failure, closing the connection", lc.name(), e);
    lc.evidence().stats().denied("internal_error");
    record.outcome(ConnectionRecord.Decision.ERROR, "internal_error");
    closeBoth();
  }

  private void noteDestination(RequestTarget t) {
    String a = t.authority();
    if (a.length() > 262) {
      a = a.substring(0, 256) + "...";
    }
    record.destination(a);
    if (destinations.size() < MAX_RECORDED_DESTINATIONS) {
      destinations.add(a);
    } else if (!destinations.contains(a)) {
      moreDestinations = true;
    }
  }

  private void closeBoth() {
    state = State.CLOSING;
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
