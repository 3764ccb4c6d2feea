package dev.sluice.gateway.edge;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.meter.MeterSettings;
import dev.sluice.gateway.meter.Payer;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.transfer.MaxTransfer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.Objects;

/**
 * The meter of one stream of an edge link, at the head of its {@link StreamChannel}'s pipeline:
 * what the listener's HTTP handlers see of metering ({@link ConnectionMeter}). It charges nothing
 * by itself: the link pays for the frames that carry the stream's bytes ({@link FrameWriter}), with
 * this meter's account, {@link Payer} and control mode, and reports back what left ({@link #sent})
 * and refusals ({@link #refuse}). Counts the client's bytes read, as {@code EgressMeter} does on a
 * socket. Used on the link's event loop only.
 *
 * <p>{@link #maxTransfer}: it counts the bytes written into the stream (the HTTP bytes the edge
 * hands the client: status line, headers and chunk framing included, before the link's compression
 * and framing) since {@link #markMessageStart}, and refuses the write that would pass the zone's
 * {@code max_transfer} (or the larger approved transfer) before any of its bytes enter the stream;
 * control writes do not count. The refusal is the listener's as on a socket: a 413 while nothing of
 * the response was accepted, else the stream is cut and closed after the bytes up to the limit,
 * ledgered as a {@code deny} {@code transfer_too_large}.
 */
public final class StreamMeter extends ChannelDuplexHandler implements ConnectionMeter {

  private final Payer payer;
  private final ConnectionRecord record;
  private final MeterSettings settings;
  private EscrowAccount account;
  private Listener listener;
  private ChannelHandlerContext ctx;
  private boolean controlMode;
  private boolean refused;
  private long sinceMark;
  private MaxTransfer maxTransfer = MaxTransfer.NONE;
  private long transferred;
  private boolean cutting;

  public StreamMeter(MeterSettings settings, ConnectionRecord record, EscrowAccount account) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.record = Objects.requireNonNull(record, "record");
    this.account = Objects.requireNonNull(account, "account");
    this.payer = new Payer(settings, record);
  }

  Payer payer() {
    return payer;
  }

  ConnectionRecord record() {
    return record;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b) {
      record.in(b.readableBytes());
      settings.listenerStats().bytesIn.add(b.readableBytes());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void listener(Listener l) {
    this.listener = l;
  }

  Listener listener() {
    return listener;
  }

  @Override
  public void account(EscrowAccount a) {
    this.account = Objects.requireNonNull(a, "account");
  }

  @Override
  public EscrowAccount account() {
    return account;
  }

  @Override
  public void markMessageStart() {
    sinceMark = 0;
    transferred = 0;
  }

  /**
   * Bytes of the current message paid in frames; while a {@code max_transfer} cut is being decided,
   * the bytes accepted into the stream too (they leave before the stream closes, so the listener
   * must not answer after them).
   */
  @Override
  public long chargedSinceMark() {
    return cutting ? Math.max(sinceMark, transferred) : sinceMark;
  }

  @Override
  public void maxTransfer(MaxTransfer m) {
    this.maxTransfer = Objects.requireNonNull(m, "maxTransfer");
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf b && !controlMode && maxTransfer.limited() && !refused) {
      long after = Math.addExact(transferred, b.readableBytes());
      if (after > maxTransfer.bytes()) {
        b.release();
        promise.tryFailure(new TransferTooLarge());
        ctx.flush(); // the bytes up to the limit leave
        cutting = true;
        try {
          if (!refuse(maxTransfer.cut())) {
            ctx.close();
          }
        } finally {
          cutting = false;
        }
        return;
      }
      transferred = after;
    }
    ctx.write(msg, promise);
  }

  /** A write refused because it would pass {@code max_transfer}. */
  static final class TransferTooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TransferTooLarge() {
      super(
          "the write would pass max_transfer on this stream of the edge link", null, false, false);
    }
  }

  @Override
  public boolean refused() {
    return refused;
  }

  @Override
  public void control(Runnable writes) {
    controlMode = true;
    try {
      writes.run();
    } finally {
      controlMode = false;
    }
  }

  @Override
  public boolean inControl() {
    return controlMode;
  }

  /** {@code n} bytes of this stream's egress left in a frame, paid. */
  void sent(long n) {
    sinceMark += n;
  }

  /**
   * The stream's egress was refused: only control writes pass from now on. Tells the listener
   * (which may answer with a control write) and returns true, or false when there is none or it had
   * been refused already (the link then resets the stream).
   */
  boolean refuse(Refusal r) {
    boolean first = !refused;
    refused = true;
    if (!first || listener == null || ctx == null) {
      return false;
    }
    listener.refused(ctx, r);
    return true;
  }

  /** Report mode: tells the listener once that a cap would have refused. */
  void wouldDeny(Refusal r) {
    if (listener != null && ctx != null) {
      listener.wouldDeny(ctx, r);
    }
  }
}
