package dev.sluice.gateway.meter;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.halt.HaltState;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Charges every byte written toward the outside before it is written. It sits at the head of the
 * pipeline of the outside-facing channel, below the HTTP codec and TLS, so it sees exactly the
 * bytes that go to the socket: status lines, headers, chunk and SSE framing, TLS records.
 *
 * <p>For each outbound buffer of {@code n} bytes: if egress is halted or the ledger is not
 * writable, refuse; else charge {@code n} against the current escrow account (one CAS). If the
 * escrow cannot pay, the buffer and every later one wait in order while the account refills; the
 * write promises complete only when the bytes are written, so the relay that reads the inside
 * (which reads the next chunk only once its last write completed) stops reading: back-pressure, not
 * buffering. The queue is bounded by {@link #MAX_PENDING_BYTES}; passing it fails closed.
 *
 * <p>If the refill is denied (or the store is unavailable), the queued bytes are dropped, their
 * promises fail, and the {@link Listener} decides what the client sees (a 429 while nothing of the
 * response has left, else a close). From then on only <em>control</em> writes (denial responses,
 * paid from the control allowance) pass. In report mode a denied charge lets the bytes through
 * uncharged and counts them as would-deny.
 *
 * <p>One instance per connection, used only on its event loop. The data plane never throws from
 * here: every failure becomes a refusal, a close, a metric and a ledger entry.
 */
public final class EgressMeter extends ChannelDuplexHandler {

  /** Most bytes held while waiting for a refill; more means a relay ignored back-pressure. */
  public static final int MAX_PENDING_BYTES = 16 << 20;

  /** The index of the user-defined writability flag the meter uses. */
  static final int WRITABILITY_INDEX = 1;

  /** Decides what a refusal means for the client; called on the event loop. */
  public interface Listener {
    /** Bytes were refused; only control writes pass from now on. */
    void refused(ChannelHandlerContext ctx, Refusal refusal);

    /** Report mode: a cap would have refused bytes that are let through (called once). */
    default void wouldDeny(ChannelHandlerContext ctx, Refusal refusal) {}
  }

  private enum State {
    OPEN,
    CONTROL_ONLY
  }

  private static final int PAID = 0;
  private static final int WAIT = 1;
  private static final int REFUSED = 2;

  private record Pending(ByteBuf buf, ChannelPromise promise, boolean control) {}

  private final MeterSettings settings;
  private final ConnectionRecord record;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private EscrowAccount account;
  private Listener listener;
  private State state = State.OPEN;
  private boolean controlMode;

  /** The control account's store was unavailable: denial bytes come from the node's reserve. */
  private boolean controlFromReserve;

  private boolean refilling;
  private boolean flushLater;
  private boolean wouldDeny;
  private long pendingBytes;
  private long chargedSinceMark;

  public EgressMeter(MeterSettings settings, ConnectionRecord record, EscrowAccount account) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.record = Objects.requireNonNull(record, "record");
    this.account = Objects.requireNonNull(account, "account");
  }

  /** Who is told about refusals. */
  public void listener(Listener l) {
    this.listener = l;
  }

  /** The account later writes are charged to (e.g. per request on a keep-alive connection). */
  public void account(EscrowAccount a) {
    this.account = Objects.requireNonNull(a, "account");
  }

  public EscrowAccount account() {
    return account;
  }

  /** Starts counting the bytes of a new message (an HTTP response). */
  public void markMessageStart() {
    chargedSinceMark = 0;
  }

  /** Bytes of the current message already paid and written (0: nothing of it has left). */
  public long chargedSinceMark() {
    return chargedSinceMark;
  }

  /** Whether bytes were refused on this connection (only control writes pass). */
  public boolean refused() {
    return state != State.OPEN;
  }

  /**
   * Runs {@code writes} (which must write and flush synchronously, like a full HTTP response) with
   * its bytes charged to the control allowance.
   */
  public void control(Runnable writes) {
    controlMode = true;
    try {
      writes.run();
    } finally {
      controlMode = false;
    }
  }

  /**
   * True while {@link #control} runs: writes made now are paid from the control allowance (a
   * handler between the HTTP codec and the meter, such as the edge link's, uses it to tell whose
   * bytes a frame carries).
   */
  public boolean inControl() {
    return controlMode;
  }

  private ChannelHandlerContext ctxForWritability;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    ctxForWritability = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      int n = b.readableBytes();
      record.in(n);
      settings.listenerStats().bytesIn.add(n);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new IllegalStateException("meter writes only bytes, got " + msg));
      refuse(ctx, Refusal.of(Refusal.Kind.METER_OVERFLOW, "unexpected " + msg.getClass()));
      return;
    }
    boolean control = controlMode;
    if (state != State.OPEN && !control) {
      buf.release();
      promise.tryFailure(RefusedException.INSTANCE);
      return;
    }
    int n = buf.readableBytes();
    if (!pending.isEmpty() || refilling) {
      enqueue(ctx, buf, promise, control);
      return;
    }
    int r = n == 0 ? PAID : pay(ctx, n, control);
    if (r == PAID) {
      ctx.write(buf, promise);
    } else if (r == WAIT) {
      enqueue(ctx, buf, promise, control);
      refill(ctx, n, control);
    } else {
      buf.release();
      promise.tryFailure(RefusedException.INSTANCE);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (!pending.isEmpty()) {
      flushLater = true;
    }
    ctx.flush();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dropPending();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    dropPending();
  }

  private int pay(ChannelHandlerContext ctx, int n, boolean control) {
    MeterSettings s = settings;
    if (!s.ledgerHealthy().getAsBoolean()) {
      refuse(ctx, Refusal.of(Refusal.Kind.LEDGER_UNAVAILABLE, "the ledger cannot be written"));
      return REFUSED;
    }
    if (!control && HaltState.halted(s.siteHalt(), s.zoneHalt())) {
      HaltState.Halt h = s.siteHalt().on() ? s.siteHalt().halt() : s.zoneHalt().halt();
      refuse(ctx, Refusal.halted(h));
      return REFUSED;
    }
    EscrowAccount acc = control ? s.control() : account;
    long now = s.clock().millis();
    if (acc.tryCharge(n, now) == EscrowAccount.CHARGED
        || (control && controlFromReserve && s.controlReserve().tryCharge(n, now))) {
      record.out(n, control);
      s.listenerStats().bytesOut.add(n);
      if (control) {
        s.stats().control(n);
      } else {
        s.stats().egress(n);
      }
      chargedSinceMark += n;
      return PAID;
    }
    if (wouldDeny && !control) {
      record.wouldDeny(n);
      s.listenerStats().bytesOut.add(n);
      s.listenerStats().wouldDenyBytes.add(n);
      chargedSinceMark += n;
      return PAID;
    }
    return WAIT;
  }

  private void enqueue(ChannelHandlerContext ctx, ByteBuf buf, ChannelPromise p, boolean control) {
    if (pending.isEmpty()) {
      writable(ctx, false);
    }
    pending.add(new Pending(buf, p, control));
    pendingBytes += buf.readableBytes();
    if (pendingBytes > MAX_PENDING_BYTES) {
      refuse(ctx, Refusal.of(Refusal.Kind.METER_OVERFLOW, pendingBytes + " bytes queued"));
    }
  }

  private void refill(ChannelHandlerContext ctx, int n, boolean control) {
    refilling = true;
    EscrowAccount acc = control ? settings.control() : account;
    acc.refill(n)
        .whenComplete(
            (outcome, error) -> ctx.executor().execute(() -> refilled(ctx, control, outcome)));
  }

  private void refilled(ChannelHandlerContext ctx, boolean control, EscrowAccount.Outcome o) {
    refilling = false;
    if (pending.isEmpty()) {
      return; // refused or closed meanwhile
    }
    if (o != null && o.kind() == EscrowAccount.Outcome.Kind.GRANTED) {
      drain(ctx);
      return;
    }
    if (control
        && !controlFromReserve
        && (o == null || o.kind() == EscrowAccount.Outcome.Kind.UNAVAILABLE)) {
      // The store cannot grant: pay the denial response from the node's reserve (once; if that
      // cannot pay either, the connection is closed below on the next refusal).
      controlFromReserve = true;
      drain(ctx);
      return;
    }
    Refusal r = refusalOf(o, control);
    if (!control && settings.reportMode() && r.kind() != Refusal.Kind.LEDGER_UNAVAILABLE) {
      wouldDeny = true;
      if (listener != null) {
        listener.wouldDeny(ctx, r);
      }
      drain(ctx);
      return;
    }
    refuse(ctx, r);
  }

  private static Refusal refusalOf(EscrowAccount.Outcome o, boolean control) {
    if (control) {
      return Refusal.of(Refusal.Kind.CONTROL_EXHAUSTED, "the control allowance is spent");
    }
    return Refusal.of(o);
  }

  private void drain(ChannelHandlerContext ctx) {
    while (!pending.isEmpty()) {
      Pending p = pending.peek();
      int n = p.buf().readableBytes();
      if (state != State.OPEN && !p.control()) {
        pending.poll();
        pendingBytes -= n;
        p.buf().release();
        p.promise().tryFailure(RefusedException.INSTANCE);
        continue;
      }
      int r = n == 0 ? PAID : pay(ctx, n, p.control());
      if (r == WAIT) {
        refill(ctx, n, p.control());
        return;
      }
      if (r == REFUSED) {
        return; // refuse() dropped the queue
      }
      pending.poll();
      pendingBytes -= n;
      ctx.write(p.buf(), p.promise());
    }
    writable(ctx, true);
    if (flushLater) {
      flushLater = false;
      ctx.flush();
    }
  }

  /** Reports the channel unwritable while bytes wait for escrow, so relays stop reading. */
  private static void writable(ChannelHandlerContext ctx, boolean writable) {
    ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
    if (out != null) {
      out.setUserDefinedWritability(WRITABILITY_INDEX, writable);
    }
  }

  private void refuse(ChannelHandlerContext ctx, Refusal r) {
    dropPending();
    if (state != State.OPEN || listener == null) {
      // Refused again while answering a refusal (e.g. the control allowance is spent): close.
      state = State.CONTROL_ONLY;
      ctx.close();
      return;
    }
    state = State.CONTROL_ONLY;
    listener.refused(ctx, r);
  }

  private void dropPending() {
    if (ctxForWritability != null && !pending.isEmpty()) {
      writable(ctxForWritability, true);
    }
    Pending p;
    while ((p = pending.poll()) != null) {
      p.buf().release();
      p.promise().tryFailure(RefusedException.INSTANCE);
    }
    pendingBytes = 0;
    flushLater = false;
  }
}
