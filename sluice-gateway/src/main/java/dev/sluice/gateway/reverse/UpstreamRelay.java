package dev.sluice.gateway.reverse;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.Deadline;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream half of a reverse listener's client connection: sends an admitted request on the
 * connection's upstream channel (borrowed, or dialed by {@link UpstreamDialer}; a request sent on a
 * pooled connection that fails before any response is sent once more on a fresh one when that is
 * safe), and relays the response to the client as it arrives. A response of known length is paid
 * for as a whole before its first byte leaves; the upstream is read only while the client is
 * writable. Called by {@link UpstreamHandler} on the client's event loop.
 *
 * <p>Ends: the response ends when its last part was written to the client (for a slow client, well
 * after the upstream sent it), not when the upstream closes; an upstream that closes right after
 * its last byte (an HTTP/1.0 server, {@code Connection: close}, a body delimited by the close) ends
 * its response cleanly ({@link ExchangePhase#FINISHING}). An upstream that closes before its
 * message is complete is an error ({@code upstream_closed}): a 502 if nothing of the response was
 * handed to the codec, else the client gets what was already relayed and charged, then a close, so
 * a body short of its {@code Content-Length} or without its last chunk, never a clean end.
 *
 * <p>A dial that does not connect within {@code timeouts.upstream_connect}, and a request whose
 * response does not start within {@code timeouts.upstream_first_byte} of being sent whole, are
 * answered 504 and the connection closed.
 */
final class UpstreamRelay {

  private static final Logger log = LoggerFactory.getLogger(UpstreamRelay.class);

  private final ListenerContext lc;
  private final UpstreamDialer dialer;
  private final ConnectionRecord record;
  private final ConnectionMeter meter;
  private final ReverseExchange x;
  private final ClientAnswers answers;
  private final Runnable next;
  private ChannelHandlerContext ctx;
  private Deadline firstByte;

  private Channel upstream;
  private UpstreamTargets.Target upstreamTarget;
  private final RetryCopy retry = new RetryCopy();
  private final ArrayDeque<HttpObject> held = new ArrayDeque<>();

  UpstreamRelay(
      ListenerContext lc,
      UpstreamDialer dialer,
      ConnectionRecord record,
      ConnectionMeter meter,
      ReverseExchange x,
      ClientAnswers answers,
      Runnable next) {
    this.lc = lc;
    this.dialer = dialer;
    this.record = record;
    this.meter = meter;
    this.x = x;
    this.answers = answers;
    this.next = next;
  }

  void ctx(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.firstByte = new Deadline(ctx.executor());
  }

  // ---- forwarding ----

  /** Sends an admitted request, on the open upstream connection or a new one. */
  void forward(FullHttpRequest req) {
    if (upstream == null || !upstream.isActive()) {
      x.to(ExchangePhase.CONNECTING);
      UpstreamTargets.Target target = dialer.next();
      Channel idle = dialer.borrow(ctx.channel(), target, this);
      if (idle == null) {
        dial(req, target);
        return;
      }
      upstream = idle;
      upstreamTarget = target;
      retry.keep(req); // a pooled connection may have been closed by the upstream a moment ago
    }
    send(req);
  }

  private void dial(FullHttpRequest req, UpstreamTargets.Target target) {
    dialer.dial(
        ctx.channel(),
        this,
        0,
        target,
        new UpstreamDialer.Result() {
          @Override
          public void connected(Channel ch, UpstreamTargets.Target t) {
            upstream = ch;
            upstreamTarget = t;
            send(req);
          }

          @Override
          public void clientGone() {
            req.release();
          }

          @Override
          public void unavailable(boolean timedOut) {
            req.release();
            if (timedOut) {
              answers.upstreamTimedOut(
                  Reason.UPSTREAM_CONNECT_TIMEOUT,
                  lc.config().limits().upstreamConnect().toString());
            } else {
              answers.upstreamUnavailable();
            }
          }
        });
  }

  private void send(FullHttpRequest req) {
    x.head = req.method().equals(HttpMethod.HEAD);
    UpstreamMessages.request(
        req,
        upstreamTarget,
        (InetSocketAddress) ctx.channel().remoteAddress(),
        lc.config().tls() != null);
    x.to(ExchangePhase.AWAITING);
    meter.markMessageStart();
    upstream
        .writeAndFlush(req)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    upstreamFailed(f.channel(), Reason.UPSTREAM_WRITE_FAILED);
                  } else {
                    retry.sent();
                    if (f.channel() == upstream && x.phase().awaitingResponse()) {
                      firstByte.arm(
                          lc.config().limits().upstreamFirstByte(), this::firstByteTimedOut);
                    }
                  }
                });
  }

  /** The response did not start in time: nothing of it can reach the client now. */
  private void firstByteTimedOut() {
    if (!x.is(ExchangePhase.AWAITING) && !x.is(ExchangePhase.RETRYING)) {
      return;
    }
    close();
    answers.upstreamTimedOut(
        Reason.UPSTREAM_FIRST_BYTE_TIMEOUT, lc.config().limits().upstreamFirstByte().toString());
  }

  // ---- responses from the upstream ----

  void fromUpstream(Channel from, HttpObject msg) {
    if (from != upstream || !x.phase().awaitingResponse()) {
      if (from == upstream && x.is(ExchangePhase.FINISHING)) {
        x.upstreamKeepAlive = false; // more than its response: the connection is not reused
      }
      ReferenceCountUtil.release(msg);
      return;
    }
    firstByte.cancel();
    if (x.is(ExchangePhase.RESERVING)) {
      held.add(msg); // parts decoded from the same read while the response is being paid for
      return;
    }
    relay(msg);
  }

  private void relay(HttpObject msg) {
    if (msg instanceof HttpResponse res) {
      if (res.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        ReferenceCountUtil.release(msg);
        return;
      }
      retry.drop();
      x.upstreamKeepAlive = UpstreamMessages.responseHead(res, x);
      x.to(ExchangePhase.STREAMING);
      long need = UpstreamMessages.wholeResponseSize(res, x.head);
      if (need > 0 && x.maxTransfer.refuses(need)) {
        // Larger than the zone lets one response be: refused before a byte of it leaves.
        ReferenceCountUtil.release(res);
        x.to(ExchangePhase.AWAITING); // nothing of it was handed to the codec
        meterRefused(x.maxTransfer.tooLarge(need));
        return;
      }
      EscrowAccount account = meter.account();
      if (need > 0 && (account.available() < need || lc.clock().millis() >= account.expiresAt())) {
        // A response of known length is paid for as a whole before its first byte leaves, so a
        // budget that cannot pay for it answers 429 instead of cutting the body short.
        x.to(ExchangePhase.RESERVING);
        upstream.config().setAutoRead(false);
        account
            .refill(need)
            .whenComplete((o, e) -> ctx.executor().execute(() -> afterReserve(res, o)));
        return;
      }
    }
    if (msg instanceof LastHttpContent) {
      // The upstream's message is complete: its close from now on ends nothing early.
      x.to(ExchangePhase.FINISHING);
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
    if (from != upstream || x.is(ExchangePhase.RESERVING) || x.closing()) {
      return;
    }
    ctx.flush(); // may complete the response and give the connection back to the pool
    if (upstream == from) {
      // Back-pressure: stop reading the upstream while the client (or its meter) cannot take more.
      from.config().setAutoRead(ctx.channel().isWritable());
    }
  }

  /** The client became writable again (the meter's escrow arrived, or the socket drained). */
  void clientWritable() {
    if (!x.is(ExchangePhase.RESERVING) && upstream != null) {
      upstream.config().setAutoRead(true);
    }
  }

  private void afterReserve(HttpResponse res, EscrowAccount.Outcome o) {
    if (!ctx.channel().isActive() || !x.is(ExchangePhase.RESERVING)) {
      ReferenceCountUtil.release(res);
      releaseHeld();
      return;
    }
    if (o != null && o.kind() == EscrowAccount.Outcome.Kind.GRANTED || lc.meter().reportMode()) {
      x.to(ExchangePhase.STREAMING);
      ctx.write(res);
      HttpObject m;
      while (x.is(ExchangePhase.STREAMING) && (m = held.poll()) != null) {
        relay(m);
      }
      if (x.is(ExchangePhase.FINISHING) && !held.isEmpty()) {
        x.upstreamKeepAlive = false; // more than its response: not relayed, connection not reused
        releaseHeld();
      }
      upstreamReadComplete(upstream);
      return;
    }
    ReferenceCountUtil.release(res);
    releaseHeld();
    x.to(ExchangePhase.AWAITING); // nothing of it was handed to the codec
    meterRefused(Refusal.of(o));
  }

  /** Bytes were refused (by the meter, or a response that cannot be paid for): stop relaying. */
  void meterRefused(Refusal r) {
    boolean headStarted = x.phase().headStarted();
    close();
    answers.refusedByMeter(r, x.tenant, headStarted);
  }

  private void responseDone() {
    if (x.upstreamKeepAlive && upstream != null) {
      // The response ended cleanly: the connection goes back to the listener's pool.
      Channel u = upstream;
      upstream = null;
      ((UpstreamHandler) u.pipeline().get("relay")).bind(null);
      dialer.pool().release(u, upstreamTarget);
    } else {
      close();
    }
    if (x.keepAlive && !x.closing()) {
      next.run();
    } else {
      answers.close();
    }
  }

  /** The upstream connection {@code from} closed or failed. */
  void upstreamFailed(Channel from, Reason reason) {
    if (from != upstream) {
      return; // an earlier upstream connection, already let go
    }
    upstream = null;
    firstByte.cancel();
    from.close();
    if (!x.phase().awaitingResponse()) {
      // No response expected, or the whole of it was received (FINISHING: the write of its last
      // part, under way, ends the exchange).
      retry.drop();
      return;
    }
    FullHttpRequest again = x.phase().headStarted() ? null : retry.take();
    if (again != null) {
      log.debug("pooled upstream connection failed ({}); retrying on a new one", reason);
      x.to(ExchangePhase.RETRYING);
      dial(again, dialer.next());
      return;
    }
    boolean headStarted = x.phase().headStarted();
    record.outcome(ConnectionRecord.Decision.ERROR, reason);
    if (!headStarted) {
      answers.upstreamFailed();
    } else {
      // Cut short: the client gets what was relayed (and charged) so far, then the close, so a
      // body shorter than its Content-Length or without its last chunk; never a clean end.
      answers.closeAfterWrites();
    }
  }

  /** Lets go of the upstream connection and of everything held for it. */
  void close() {
    if (firstByte != null) {
      firstByte.cancel();
    }
    releaseHeld();
    retry.drop();
    Channel u = upstream;
    upstream = null;
    if (u != null) {
      u.close();
    }
  }

  private void releaseHeld() {
    HttpObject m;
    while ((m = held.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }
}
