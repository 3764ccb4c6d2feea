package dev.sluice.gateway.edge;

import dev.sluice.codec.LinkEncoder;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.edge.MuxMessage.End;
import dev.sluice.gateway.edge.MuxMessage.Frame;
import dev.sluice.gateway.edge.MuxMessage.Reset;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.Payer;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.stats.EdgeStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Builds, pays for and writes the gateway's side of a link, one batch per build: the link's own
 * messages (frame 0, WINDOW, PONG, PING, GOAWAY), one codec FRAME carrying the pending bytes of as
 * many streams as may send, and the END or RESET of streams whose last bytes are in it.
 *
 * <p>Every byte is paid before it is written, exactly: the batch's size is known before anything is
 * written (headers, payloads, CRCs, and the TLS records it will cost, {@link TlsRecords}); it is
 * split over the batch's parts in proportion to their bytes, the FRAME's part over its streams with
 * {@link LinkEncoder.Frame#shares}; each stream's share is charged to its account (its tenant and
 * destination, or control for a denial it carries), each END or RESET to its stream's, the link's
 * messages to the control allowance. If one charge cannot pay, those already made are given back
 * ({@link EscrowAccount#refund}, which keeps them counted when their escrow set changed meanwhile),
 * the stream is taken out (it waits for a refill, unwritable, or is refused: for that stream only)
 * and the batch is built again. Then the frame is committed, the batch written as one buffer and
 * flushed, and the {@link EgressMeter} below TLS is told how many bytes were paid ahead: it checks
 * what reaches the socket against that and charges anything beyond it to control.
 *
 * <p>Used on the link's event loop; re-entrant calls (a promise listener that writes) are folded
 * into the build in progress.
 */
final class FrameWriter {

  /** Most raw bytes one FRAME takes from all streams together. */
  static final int MAX_FRAME_RAW = 256 << 10;

  /** A stream holding more than this (raw) is unwritable until it drops below {@link #LOW}. */
  static final int HIGH = 128 << 10;

  static final int LOW = 32 << 10;

  /** Pending raw bytes of all streams that make a frame go at once. */
  static final int BULK = 64 << 10;

  /** The link's state this writer needs. */
  interface Link {
    Collection<MuxStream> streams();

    /** The open stream {@code id}. */
    MuxStream stream(int id);

    /** The stream is done both ways: forget it. */
    void forget(MuxStream s);

    /** The control allowance cannot pay for the link's own bytes: end the link. */
    void controlRefused(Refusal r);

    /** Something was written: the link may have finished draining. */
    void afterSend();
  }

  private final ChannelHandlerContext ctx;
  private final LinkEncoder codec;
  private final MuxFrameEncoder frames;
  private final EgressMeter linkMeter;
  private final Payer linkPayer;
  private final EdgeStats stats;
  private final Link link;
  private final dev.sluice.time.Clock clock;
  private final StreamInput input;
  private final Refills refills;
  private final ArrayDeque<Object> control = new ArrayDeque<>();
  private TlsRecords tls = TlsRecords.NONE;
  private FlushTimer timer;
  private boolean controlWaiting;
  private boolean building;
  private boolean again;
  private final List<Refused> deferred = new ArrayList<>();

  FrameWriter(
      ChannelHandlerContext ctx,
      LinkEncoder codec,
      MuxFrameEncoder frames,
      EgressMeter linkMeter,
      Payer linkPayer,
      EdgeStats stats,
      Link link,
      dev.sluice.time.Clock clock) {
    this.ctx = ctx;
    this.codec = codec;
    this.frames = frames;
    this.linkMeter = linkMeter;
    this.linkPayer = linkPayer;
    this.stats = stats;
    this.link = link;
    this.clock = clock;
    this.input = new StreamInput(ctx, codec, link);
    this.refills = new Refills(ctx, stats, input, link, linkPayer, this::send);
  }

  void timer(FlushTimer t) {
    this.timer = t;
  }

  void tls(TlsRecords t) {
    this.tls = t;
  }

  LinkEncoder codec() {
    return codec;
  }

  /** Queues one of the link's own messages (or frame 0), paid from control, and sends soon. */
  void control(Object m) {
    control.add(m);
  }

  // ---- from the streams ----

  /** A flushed write of stream {@code s}. */
  void write(MuxStream s, ByteBuf buf, io.netty.channel.ChannelPromise promise, boolean isControl) {
    input.write(s, buf, promise, isControl);
  }

  /** Stream {@code s} flushed: its writes go to the codec, and maybe a frame goes now. */
  void flush(MuxStream s) {
    boolean wasEmpty = codec.isOpen(s.id) && codec.pending(s.id) == 0;
    feed(s);
    if (codec.isOpen(s.id) && codec.pending(s.id) > 0 && s.oldestPending == MuxStream.NEVER) {
      s.oldestPending = clock.nanos();
    }
    input.writability(s);
    if (codec.isOpen(s.id)
        && codec.pending(s.id) > 0
        && timer.flushed(
            s.oldestPending, s.lastSent, s.lastReceived, wasEmpty, input.pendingTotal() >= BULK)) {
      send();
    } else if (s.closeRequested) {
      send();
    }
  }

  /** Feeds {@code s}'s flushed writes to the codec, unless a frame is being built (then after). */
  private void feed(MuxStream s) {
    if (building) {
      again = true;
      return;
    }
    input.feed(s);
  }

  void writability(MuxStream s) {
    input.writability(s);
  }

  /** See {@link StreamInput#refuse}; never while a frame is being built. */
  void refuse(MuxStream s, Refusal r) {
    if (building) {
      throw new IllegalStateException("refuse while building");
    }
    input.refuse(s, r);
  }

  // ---- building ----

  /** Builds and writes batches until nothing more can go now. */
  void send() {
    if (building) {
      again = true;
      return;
    }
    building = true;
    try {
      int guard = 0;
      do {
        again = false;
        buildOnce();
      } while (again && ctx.channel().isActive() && ++guard < 64);
    } catch (RuntimeException e) {
      building = false;
      throw e;
    }
    building = false;
    List<Refused> refusals = new ArrayList<>(deferred);
    deferred.clear();
    for (Refused r : refusals) {
      r.stream().reset = null;
      if (!r.stream().downEnded) {
        refuse(r.stream(), r.refusal());
      }
    }
    for (MuxStream s : new ArrayList<>(link.streams())) {
      if (!s.unfed.isEmpty()) {
        feed(s);
      }
      writability(s);
    }
    schedule();
    link.afterSend();
  }

  private boolean eligible(MuxStream s) {
    return codec.isOpen(s.id)
        && codec.pending(s.id) > 0
        && s.credit > 0
        && !s.waitingEscrow
        && s.reset == null;
  }

  /** Sets the timer for what is pending and could go (it waits for the window, not for us). */
  private void schedule() {
    long oldest = MuxStream.NEVER;
    for (MuxStream s : link.streams()) {
      if (eligible(s) && s.oldestPending != MuxStream.NEVER) {
        if (oldest == MuxStream.NEVER || s.oldestPending - oldest < 0) {
          oldest = s.oldestPending;
        }
      }
    }
    if (oldest != MuxStream.NEVER && ctx.channel().isWritable()) {
      timer.pendingSince(oldest);
    }
  }

  /** One part of a batch: what it writes, its size, who pays. */
  private record Part(Object message, MuxStream stream, int size) {}

  private void buildOnce() {
    timer.built();
    LinkEncoder.Frame frame = null;
    if (ctx.channel().isWritable()) {
      long raw = 0;
      for (MuxStream s : link.streams()) {
        if (raw >= MAX_FRAME_RAW || !eligible(s)) {
          continue;
        }
        if (frame == null) {
          frame = codec.frame();
        }
        if (frame.add(s.id, Math.min(s.credit, MAX_FRAME_RAW))) {
          raw += frame.rawBytes(s.id);
        }
      }
    }
    List<Refused> refused = new ArrayList<>();
    for (int attempt = 0; ; attempt++) {
      int[] ids = frame == null ? new int[0] : frame.streams();
      int payload = ids.length == 0 ? 0 : frame.payloadSize();
      while (payload > MuxFormat.MAX_PAYLOAD && ids.length > 1) {
        frame.remove(ids[ids.length - 1]);
        ids = frame.streams();
        payload = frame.payloadSize();
      }
      List<Part> parts = new ArrayList<>();
      if (!controlWaiting) {
        for (Object m : control) {
          int size =
              m instanceof MuxMessage mm
                  ? MuxFormat.frameSize(mm, frames.checksums())
                  : MuxFrameEncoder.handshakeSize(m);
          parts.add(new Part(m, null, size));
        }
      }
      int frameAt = -1;
      if (ids.length > 0) {
        frameAt = parts.size();
        parts.add(new Part(null, null, MuxFormat.frameSize(payload, frames.checksums())));
      }
      for (MuxStream s : link.streams()) {
        MuxMessage end = endMessage(s, frame);
        if (end != null) {
          parts.add(new Part(end, s, MuxFormat.frameSize(end, frames.checksums())));
        }
      }
      if (parts.isEmpty()) {
        if (frame != null) {
          frame.abandon();
        }
        handleRefusals(refused);
        return;
      }
      long plain = 0;
      long[] sizes = new long[parts.size()];
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = parts.get(i).size();
        plain = Math.addExact(plain, sizes[i]);
      }
      long total = Math.addExact(plain, tls.overhead(plain));
      long[] due = Split.proportional(total, sizes);
      List<Charge> charges = new ArrayList<>();
      if (frameAt >= 0) {
        long[] shares = frame.shares(due[frameAt]);
        for (int i = 0; i < ids.length; i++) {
          MuxStream s = link.stream(ids[i]);
          charges.add(
              new Charge(s, true, s.meter.payer(), s.meter.account(), shares[i], s.pendingControl));
        }
      }
      for (int i = 0; i < parts.size(); i++) {
        Part p = parts.get(i);
        if (i == frameAt) {
          continue;
        }
        if (p.stream() == null) {
          charges.add(new Charge(null, false, linkPayer, null, due[i], true));
        } else {
          MuxStream s = p.stream();
          boolean ctl = s.endFromControl || s.meter.refused() || s.pendingControl;
          charges.add(new Charge(s, false, s.meter.payer(), s.meter.account(), due[i], ctl));
        }
      }
      Charge failed = Charge.payAll(charges, stats);
      if (failed == null) {
        commit(frame, frameAt >= 0, parts, charges, plain, total);
        handleRefusals(refused);
        return;
      }
      int result = failed.result;
      if (failed.stream == null) {
        if (result == Payer.REFUSED) {
          if (frame != null) {
            frame.abandon();
          }
          link.controlRefused(failed.payer.refusal());
          return;
        }
        controlWaiting = true;
        refills.refillControl(failed.n, () -> controlWaiting = false);
        continue;
      }
      MuxStream s = failed.stream;
      if (failed.frameShare) {
        frame.remove(s.id);
      }
      if (result == Payer.WAIT) {
        refills.waitForEscrow(s, failed.n, failed.control);
      } else if (failed.frameShare && !failed.control) {
        refused.add(new Refused(s, failed.payer.refusal()));
        s.reset = MuxMessage.ResetCode.DENIED; // taken out of this batch; settled after it
      } else {
        s.endFromControl = true; // the END of a refused tenant is the link's to pay
        if (failed.control) {
          if (frame != null) {
            frame.abandon();
          }
          link.controlRefused(failed.payer.refusal());
          return;
        }
      }
    }
  }

  /** The END or RESET stream {@code s} sends in this batch, or null. */
  private MuxMessage endMessage(MuxStream s, LinkEncoder.Frame frame) {
    if (s.downEnded || !codec.isOpen(s.id) || !s.closeRequested || s.waitingEscrow) {
      return null;
    }
    boolean inFrame =
        frame != null && java.util.Arrays.stream(frame.streams()).anyMatch(x -> x == s.id);
    if (s.reset != null) {
      return inFrame ? null : new Reset(s.id, s.reset, s.resetReason);
    }
    if (!s.unfed.isEmpty()) {
      return null;
    }
    long left = codec.pending(s.id) - (inFrame ? frame.rawBytes(s.id) : 0);
    if (left != 0) {
      return null;
    }
    return new End(s.id, s.committed + (inFrame ? frame.rawBytes(s.id) : 0));
  }

  private void commit(
      LinkEncoder.Frame frame,
      boolean hasFrame,
      List<Part> parts,
      List<Charge> charges,
      long plain,
      long total) {
    ByteBuf out = ctx.alloc().buffer((int) plain);
    List<MuxStream> carried = new ArrayList<>();
    List<Long> carriedRaw = new ArrayList<>();
    try {
      byte[] payload = null;
      if (hasFrame) {
        for (int id : frame.streams()) {
          carried.add(link.stream(id));
          carriedRaw.add(frame.rawBytes(id));
        }
        payload = frame.commit();
      } else if (frame != null) {
        frame.abandon();
      }
      for (Part p : parts) {
        if (p.message() == null) {
          frames.encode(new Frame(payload), out);
        } else if (p.message() instanceof MuxMessage m) {
          frames.encode(m, out);
        } else {
          frames.handshake(p.message(), out);
        }
      }
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
    if (out.readableBytes() != plain) {
      // Never expected: the prepaid figure would be off. The meter below charges the difference.
      stats.mismatch(Math.abs(out.readableBytes() - plain));
    }
    linkMeter.prepay(total);
    stats.frame(total, hasFrame);
    if (!controlWaiting) {
      control.clear();
    }
    for (Charge c : charges) {
      if (c.n == 0) {
        continue;
      }
      c.payer.paid(c.n, c.control, c.wouldDeny);
      if (c.stream != null) {
        c.stream.meter.sent(c.n);
        if (!c.control) {
          String t = EdgeStats.tenantOf(c.account);
          if (t != null) {
            stats.tenant(t).wire.add(c.n);
          }
        }
      }
    }
    long now = clock.nanos();
    List<io.netty.channel.ChannelPromise> done = new ArrayList<>();
    for (int i = 0; i < carried.size(); i++) {
      MuxStream s = carried.get(i);
      long raw = carriedRaw.get(i);
      s.committed += raw;
      s.credit -= raw;
      s.lastSent = now;
      s.oldestPending = codec.pending(s.id) > 0 ? now : MuxStream.NEVER;
      String t = EdgeStats.tenantOf(s.meter.account());
      if (t != null && !s.pendingControl) {
        stats.tenant(t).raw.add(raw);
      }
      while (!s.waiting.isEmpty() && s.waiting.peek().end() <= s.committed) {
        done.add(s.waiting.poll().promise());
      }
    }
    for (Part p : parts) {
      if (p.stream() != null) {
        MuxStream s = p.stream();
        s.downEnded = true;
        if (codec.pending(s.id) > 0) {
          codec.discard(s.id); // a RESET: what the stream still held is dropped
        }
        long sent = codec.close(s.id);
        if (p.message() instanceof End e && e.bytes() != sent) {
          throw new IllegalStateException("END count " + e.bytes() + " but " + sent + " committed");
        }
        while (!s.waiting.isEmpty()) {
          done.add(s.waiting.poll().promise());
        }
        s.child.ended();
        if (s.done()) {
          link.forget(s);
        }
      }
    }
    ctx.write(out)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  for (io.netty.channel.ChannelPromise p : done) {
                    if (f.isSuccess()) {
                      p.trySuccess();
                    } else {
                      p.tryFailure(f.cause());
                    }
                  }
                });
    ctx.flush();
    // More may be able to go: streams a full frame left out, bytes fed meanwhile.
    again |= !carried.isEmpty();
  }

  // ---- escrow waits and refusals ----

  private record Refused(MuxStream stream, Refusal refusal) {}

  private void handleRefusals(List<Refused> refused) {
    deferred.addAll(refused); // settled once the build is over (a listener may write)
  }
}
