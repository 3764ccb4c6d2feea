package dev.sluice.gateway.reverse;

import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;

/**
 * The gateway's own answers to a reverse listener's client: refusals and errors, paid from the
 * control allowance, recorded in the connection record (and, for denials, in the ledger), after
 * which the connection either takes its next request or closes.
 */
final class ClientAnswers {

  private final ListenerContext lc;
  private final ConnectionRecord record;
  private final ConnectionMeter meter;
  private final ReverseExchange x;
  private final Runnable next;
  private ChannelHandlerContext ctx;

  /**
   * @param next takes the connection's next request (after an answer that keeps the connection)
   */
  ClientAnswers(
      ListenerContext lc,
      ConnectionRecord record,
      ConnectionMeter meter,
      ReverseExchange x,
      Runnable next) {
    this.lc = lc;
    this.record = record;
    this.meter = meter;
    this.x = x;
    this.next = next;
  }

  void ctx(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Closes the client connection: nothing more is forwarded or relayed. */
  void close() {
    x.to(ExchangePhase.CLOSING);
    ctx.close();
  }

  /**
   * Closes the client connection once everything written to it so far has left: the bytes the meter
   * already charged reach the client instead of being dropped with the socket channel's outbound
   * buffer, which a plain close discards (a client that stops reading keeps the connection open
   * until it reads or the listener drains). Nothing more is forwarded or relayed.
   */
  void closeAfterWrites() {
    x.to(ExchangePhase.CLOSING);
    if (ctx.channel().unsafe().outboundBuffer() == null) {
      // A stream of an edge link: it has no socket buffer to lose; its link ends it in order.
      ctx.close();
      return;
    }
    // An empty buffer passes the codec and the meter in order, behind what is queued; as a control
    // write (of no bytes) it passes a meter that refused too. It is written once the current call
    // returned, never from inside the write the meter is refusing: re-entering the HTTP encoder
    // while it passes on the parts of a chunk was seen to release a buffer twice and lose flushed
    // bytes.
    ctx.executor()
        .execute(
            () ->
                meter.control(
                    () ->
                        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER)
                            .addListener(ChannelFutureListener.CLOSE)));
  }

  /** A request no tenant of the zone applies to: recorded, ledgered and answered. */
  void unknownTenant(String requested, String message) {
    lc.evidence().denied(record, requested, Reason.UNKNOWN_TENANT, "no default tenant in the zone");
    record.outcome(ConnectionRecord.Decision.DENY, Reason.UNKNOWN_TENANT);
    answer(JsonResponses.error(Reason.UNKNOWN_TENANT, message, ""), !x.keepAlive);
  }

  /**
   * Answers a refusal decided by the admission stage before forwarding (halt, spent budget, store
   * down), which has already recorded it.
   */
  void refusal(Refusal r, boolean close) {
    FullHttpResponse res = JsonResponses.refusal(r, lc.clock().millis());
    if (res == null) {
      close();
      return;
    }
    answer(res, close || !x.keepAlive);
  }

  /**
   * Refuses a request the gateway cannot take (malformed, too large): recorded, answered, closed.
   */
  void badRequest(Reason reason, String message, String tenant) {
    lc.evidence().denied(record, tenant, reason, null);
    record.outcome(ConnectionRecord.Decision.DENY, reason);
    answer(JsonResponses.error(reason, message, ""), true);
  }

  /** No upstream accepted a connection: recorded and answered 502. */
  void upstreamUnavailable() {
    record.outcome(ConnectionRecord.Decision.ERROR, Reason.UPSTREAM_UNAVAILABLE);
    answer(
        JsonResponses.error(Reason.UPSTREAM_UNAVAILABLE, Reason.UPSTREAM_UNAVAILABLE.message(), ""),
        !x.keepAlive);
  }

  /**
   * The upstream did not connect or did not start its response within its timeout ({@link
   * Reason#UPSTREAM_CONNECT_TIMEOUT}, {@link Reason#UPSTREAM_FIRST_BYTE_TIMEOUT}): recorded,
   * counted, answered 504 and closed.
   */
  void upstreamTimedOut(Reason reason, String detail) {
    record.outcome(ConnectionRecord.Decision.ERROR, reason);
    lc.evidence().stats().denied(reason);
    lc.meter().listenerStats().closed(reason);
    answer(JsonResponses.error(reason, reason.message() + " (" + detail + ")", ""), true);
  }

  /** The upstream failed before the response started: answered 502 and closed. */
  void upstreamFailed() {
    answer(JsonResponses.error(Reason.UPSTREAM_FAILED, Reason.UPSTREAM_FAILED.message(), ""), true);
  }

  /**
   * The meter refused bytes of a response: ledgered; answered 429 and closed when nothing of the
   * response has left yet (a deny), else cut: the bytes paid before the refusal reach the client,
   * then the connection closes ({@link #closeAfterWrites}).
   *
   * @param headStarted whether the response head was already handed to the codec
   */
  void refusedByMeter(Refusal r, String tenant, boolean headStarted) {
    lc.evidence().denied(record, tenant, r);
    boolean nothingLeft = meter.chargedSinceMark() == 0;
    FullHttpResponse res = nothingLeft ? JsonResponses.refusal(r, lc.clock().millis()) : null;
    record.outcome(
        nothingLeft ? ConnectionRecord.Decision.DENY : ConnectionRecord.Decision.CUT, r.reason());
    if (res == null) {
      closeAfterWrites();
      return;
    }
    x.to(ExchangePhase.CLOSING);
    if (headStarted) {
      // The codec is mid-message; start a fresh one so the denial is a well-formed response.
      ReverseListener.resetCodec(ctx.pipeline());
    }
    HttpUtil.setKeepAlive(res, false);
    meter.control(() -> ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE));
  }

  /** Writes a response of the gateway's own, paid from the control allowance. */
  private void answer(FullHttpResponse res, boolean close) {
    meter.markMessageStart();
    HttpUtil.setKeepAlive(res, !close);
    x.to(close ? ExchangePhase.CLOSING : ExchangePhase.ANSWERING);
    meter.control(
        () ->
            ctx.writeAndFlush(res)
                .addListener(
                    (ChannelFutureListener)
                        f -> {
                          if (close || !f.isSuccess()) {
                            ctx.close();
                          } else {
                            next.run();
                          }
                        }));
  }
}
