package dev.sluice.gateway.meter;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.transfer.MaxTransfer;
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
 * escrow cannot pay it whole, the part it holds is charged and written (a slice) once bytes of the
 * message have left or always on a {@link #stream()}, and the rest of the buffer and every later
 * one wait in order while the account refills, asking the store for what is missing (or, when a cap
 * denies that much, for one byte: a buffer is refused only when the budget cannot pay one more
 * byte). A socket read larger than an escrow chunk or than what remains is so paid in parts; the
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
 * <p>{@link #maxTransfer}: the data bytes of one message (since {@link #markMessageStart}; on a
 * {@link #stream()} the whole connection) may not pass the zone's {@code max_transfer}. A write
 * that would pass it is refused ({@code transfer_too_large}) before any of its bytes leave, so at
 * most that many bytes of one transfer leave; control writes do not count.
 *
 * <p>What is charged is what was handed to the channel, not what the peer received: a plain close
 * drops what is still in the channel's outbound buffer (charged, never sent), and a peer that
 * resets the connection loses what its kernel had not delivered. Relays therefore close after their
 * writes (the reverse listener's {@code ClientAnswers.closeAfterWrites}, tcp's {@code HalfClose}
 * and {@code UpstreamSide}); a refusal that closes a tcp connection or a forward destination at
 * once may still leave some charged bytes in that buffer, counted in {@code bytes_out}.
 *
 * <p>One instance per connection, used only on its event loop. The data plane never throws from
 * here: every failure becomes a refusal, a close, a metric and a ledger entry.
 */
public final class EgressMeter extends ChannelDuplexHandler implements ConnectionMeter {

  /** Most bytes held while waiting for a refill; more means a relay ignored back-pressure. */
  public static final int MAX_PENDING_BYTES = 16 << 20;

  /** The index of the user-defined writability flag the meter uses. */
  static final int WRITABILITY_INDEX = 1;

  private enum State {
    OPEN,
    CONTROL_ONLY
  }

  private static final int PAID = Payer.PAID;
  private static final int WAIT = Payer.WAIT;
  private static final int REFUSED = Payer.REFUSED;

  private record Pending(ByteBuf buf, ChannelPromise promise, boolean control) {}

  private final MeterSettings settings;
  private final ConnectionRecord record;
  private final Payer payer;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private EscrowAccount account;
  private Listener listener;
  private State state = State.OPEN;
  private boolean controlMode;
  private boolean refilling;
  private boolean flushLater;
  private long pendingBytes;
  private long chargedSinceMark;
  private boolean stream;
  private MaxTransfer maxTransfer = MaxTransfer.NONE;
  private long transferred;

  /** Link mode: bytes paid ahead by {@link #prepay}, not yet written. */
  private final boolean linkMode;

  private long prepaid;
  private long unforeseen;

  public EgressMeter(MeterSettings settings, ConnectionRecord record, EscrowAccount account) {
    this(settings, record, account, false);
  }

  private EgressMeter(
      MeterSettings settings, ConnectionRecord record, EscrowAccount account, boolean linkMode) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.record = Objects.requireNonNull(record, "record");
    this.account = Objects.requireNonNull(account, "account");
    this.payer = new Payer(settings, record);
    this.linkMode = linkMode;
  }

  /**
   * The meter at the bottom of a multiplexed edge link's pipeline, below TLS: the link pays for its
   * frames ahead ({@link #prepay}, charged to the tenants whose data they carry and to the control
   * allowance) and this meter checks what actually goes to the socket against it. Bytes written
   * beyond what was prepaid (the TLS handshake and alerts, anything unforeseen) are charged to the
   * control allowance before they leave, as any other meter would; bytes prepaid and never written
   * stay counted ({@link #prepaidLeft()}). Either is logged by the link; both are zero for the
   * frames of a link that predicted its TLS records exactly.
   */
  public static EgressMeter forLink(MeterSettings settings, ConnectionRecord record) {
    return new EgressMeter(settings, record, settings.control(), true);
  }

  /** What this meter shares with the listener's other meters. */
  MeterSettings settings() {
    return settings;
  }

  /** Link mode: the next {@code n} bytes written are already paid for. */
  public void prepay(long n) {
    if (!linkMode || n < 0) {
      throw new IllegalStateException("prepay " + n + " on a meter not in link mode");
    }
    prepaid = Math.addExact(prepaid, n);
  }

  /** Link mode: bytes prepaid and not yet written. */
  public long prepaidLeft() {
    return prepaid;
  }

  /** Link mode: bytes written that were not prepaid, charged to the control allowance here. */
  public long unforeseen() {
    return unforeseen;
  }

  /** Who is told about refusals. */
  @Override
  public void listener(Listener l) {
    this.listener = l;
  }

  /** The account later writes are charged to (e.g. per request on a keep-alive connection). */
  @Override
  public void account(EscrowAccount a) {
    this.account = Objects.requireNonNull(a, "account");
  }

  @Override
  public EscrowAccount account() {
    return account;
  }

  /**
   * This connection carries a byte stream (a tcp listener's egress, a CONNECT tunnel): a refusal
   * can only cut it, so even its first write may be paid in parts. Without it, a write is split
   * only once bytes of the current message have left (before that, a write the escrow cannot pay
   * whole waits for it whole, so that a refusal can still be answered, e.g. with a 429).
   */
  public void stream() {
    this.stream = true;
  }

  /** The largest single transfer later writes may make (set with the account, per request). */
  @Override
  public void maxTransfer(MaxTransfer m) {
    this.maxTransfer = Objects.requireNonNull(m, "maxTransfer");
  }

  /** Starts counting the bytes of a new message (an HTTP response). */
  @Override
  public void markMessageStart() {
    chargedSinceMark = 0;
    transferred = 0;
  }

  /** Bytes of the current message already paid and written (0: nothing of it has left). */
  @Override
  public long chargedSinceMark() {
    return chargedSinceMark;
  }

  /** Whether bytes were refused on this connection (only control writes pass). */
  @Override
  public boolean refused() {
    return state != State.OPEN;
  }

  /**
   * Runs {@code writes} (which must write and flush synchronously, like a full HTTP response) with
   * its bytes charged to the control allowance.
   */
  @Override
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
  @Override
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
      refuse(ctx, Refusal.of(Reason.METER_OVERFLOW, "unexpected " + msg.getClass()));
      return;
    }
    boolean control = controlMode;
    if (state != State.OPEN && !control) {
      buf.release();
      promise.tryFailure(RefusedException.INSTANCE);
      return;
    }
    if (!pending.isEmpty() || refilling) {
      enqueue(ctx, buf, promise, control);
      return;
    }
    int r = send(ctx, buf, promise, control);
    if (r == WAIT) {
      enqueue(ctx, buf, promise, control);
      refill(ctx, buf.readableBytes(), control);
    } else if (r == REFUSED) {
      buf.release();
      promise.tryFailure(RefusedException.INSTANCE);
    }
  }

  /**
   * Writes as much of {@code buf} as can be paid now. A data write the escrow cannot pay whole is
   * paid in part: the bytes the escrow holds leave now (as a slice of {@code buf}), the rest stays
   * in {@code buf} for the next refill, and {@code promise} completes once the last part is written
   * (or fails if any part does).
   *
   * @return {@link #PAID} if all of {@code buf} was written, {@link #WAIT} if some of it waits (its
   *     reader index past what was written), {@link #REFUSED} if refused ({@link #refuse} ran)
   */
  private int send(
      ChannelHandlerContext ctx, ByteBuf buf, ChannelPromise promise, boolean control) {
    int n = buf.readableBytes();
    int r = n == 0 ? PAID : pay(ctx, n, control);
    if (r == PAID) {
      ctx.write(buf, promise);
      return PAID;
    }
    if (r == REFUSED || !splittable(control)) {
      return r;
    }
    long part = Math.min(account.available(), n - 1L);
    if (part <= 0) {
      return WAIT;
    }
    r = pay(ctx, (int) part, false);
    if (r != PAID) {
      return r; // another connection of the account took the escrow first, or refused
    }
    ChannelPromise partWritten = ctx.newPromise();
    partWritten.addListener(
        f -> {
          if (!f.isSuccess()) {
            promise.tryFailure(f.cause());
          }
        });
    ctx.write(buf.readRetainedSlice((int) part), partWritten);
    return WAIT;
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
    long covered = 0;
    if (linkMode) {
      covered = Math.min(prepaid, n);
      if (covered == n) {
        prepaid -= covered;
        return PAID; // the link recorded these bytes when it paid for them
      }
      control = true;
    }
    long rest = n - covered;
    if (!control && !linkMode && maxTransfer.limited()) {
      long after = Math.addExact(transferred, n);
      if (after > maxTransfer.bytes()) {
        ctx.flush(); // the bytes up to the limit, written before this write, leave
        refuse(ctx, maxTransfer.cut());
        return REFUSED;
      }
    }
    int r = payer.charge(account, rest, control);
    if (r == Payer.PAID) {
      prepaid -= covered;
      if (linkMode) {
        unforeseen += rest;
      }
      payer.paid(rest, control, payer.lastWouldDeny());
      chargedSinceMark += n;
      if (!control && maxTransfer.limited()) {
        transferred += n; // at most maxTransfer.bytes(): checked above, so it cannot overflow
      }
    } else if (r == Payer.REFUSED) {
      refuse(ctx, payer.refusal());
    }
    return r;
  }

  private void enqueue(ChannelHandlerContext ctx, ByteBuf buf, ChannelPromise p, boolean control) {
    if (pending.isEmpty()) {
      writable(ctx, false);
    }
    pending.add(new Pending(buf, p, control));
    pendingBytes += buf.readableBytes();
    if (pendingBytes > MAX_PENDING_BYTES) {
      refuse(ctx, Refusal.of(Reason.METER_OVERFLOW, pendingBytes + " bytes queued"));
    }
  }

  /**
   * Whether a write the escrow cannot pay whole may be paid in parts. Never: control writes (whole
   * responses), link frames (prepaid), and the first write of a message whose refusal can still be
   * answered.
   */
  private boolean splittable(boolean control) {
    return !control && !linkMode && (stream || chargedSinceMark > 0);
  }

  /** Asks for the escrow to pay the {@code n} bytes that wait (in parts if they may be split). */
  private void refill(ChannelHandlerContext ctx, int n, boolean control) {
    refilling = true;
    // In parts: the waiting bytes (the refill counts the escrow already held and asks the store
    // only for what it lacks), or, when a cap denies that, one byte more than is held.
    (splittable(control)
            ? payer.refillPart(account, Math.max(1, n))
            : payer.refill(account, n, control || linkMode))
        .whenComplete(
            (outcome, error) -> ctx.executor().execute(() -> refilled(ctx, control, outcome)));
  }

  private void refilled(ChannelHandlerContext ctx, boolean control, EscrowAccount.Outcome o) {
    refilling = false;
    if (pending.isEmpty()) {
      return; // refused or closed meanwhile
    }
    Payer.After after = payer.refilled(o, control || linkMode);
    if (after == Payer.After.REFUSE) {
      refuse(ctx, payer.refusal());
      return;
    }
    if (after == Payer.After.WOULD_DENY && listener != null) {
      listener.wouldDeny(ctx, payer.refusal());
    }
    drain(ctx);
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
      int r = send(ctx, p.buf(), p.promise(), p.control());
      if (r == REFUSED) {
        return; // refuse() flushed what was paid and dropped the queue
      }
      if (r == WAIT) {
        int left = p.buf().readableBytes();
        pendingBytes -= n - left;
        if (flushLater) {
          ctx.flush(); // what was paid leaves now; the rest stays flushed-when-drained
        }
        refill(ctx, left, p.control());
        return;
      }
      pending.poll();
      pendingBytes -= n;
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
    if (flushLater) {
      ctx.flush(); // bytes paid and written while others waited leave before the refusal
    }
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
