package dev.sluice.gateway.edge;

import dev.sluice.codec.LinkEncoder;
import dev.sluice.gateway.refusal.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * What each stream of a link gives the link's codec: its flushed writes, fed to the {@link
 * LinkEncoder} in order (a denial response, paid from control, only once nothing of the stream is
 * pending, and bypassing the models with {@link LinkEncoder#writeRaw}); its channel's writability
 * (off while it holds more than {@link FrameWriter#HIGH} bytes, waits for escrow, or the link's
 * socket is full); and what a refusal of its egress does to it. Used by {@link FrameWriter} on the
 * link's event loop, never while a frame is being built.
 */
final class StreamInput {

  private final ChannelHandlerContext ctx;
  private final LinkEncoder codec;
  private final FrameWriter.Link link;

  StreamInput(ChannelHandlerContext ctx, LinkEncoder codec, FrameWriter.Link link) {
    this.ctx = ctx;
    this.codec = codec;
    this.link = link;
  }

  /** A flushed write of stream {@code s}. */
  void write(MuxStream s, ByteBuf buf, io.netty.channel.ChannelPromise promise, boolean isControl) {
    if (s.downEnded || (s.meter.refused() && !isControl) || s.closeRequested && s.cut) {
      buf.release();
      promise.tryFailure(new RefusedException());
      return;
    }
    s.unfed.add(new MuxStream.Write(buf, promise, isControl));
    s.unfedBytes += buf.readableBytes();
  }

  /** Raw bytes the codec holds for all streams. */
  long pendingTotal() {
    long n = 0;
    for (MuxStream s : link.streams()) {
      if (codec.isOpen(s.id)) {
        n += codec.pending(s.id);
      }
    }
    return n;
  }

  /** Moves what the codec can take of {@code s}'s flushed writes into it. */
  void feed(MuxStream s) {
    if (!codec.isOpen(s.id)) {
      return;
    }
    while (!s.unfed.isEmpty()) {
      MuxStream.Write w = s.unfed.peek();
      long pending = codec.pending(s.id);
      int n = w.buf.readableBytes();
      if (w.control) {
        if (pending != 0) {
          return; // denial bytes bypass the model, after everything before them left
        }
        byte[] b = new byte[n];
        w.buf.readBytes(b);
        codec.writeRaw(s.id, b, 0, n);
        s.pendingControl = true;
      } else {
        if (pending != 0 && s.pendingControl) {
          return;
        }
        byte[] b = new byte[n];
        w.buf.getBytes(w.buf.readerIndex(), b);
        int took = codec.write(s.id, b, 0, n);
        w.buf.skipBytes(took);
        s.pendingControl = false;
        s.fed += took;
        s.unfedBytes -= took;
        if (took < n) {
          return; // the codec holds its most; the rest waits for a frame
        }
        s.unfed.poll();
        w.buf.release();
        s.waiting.add(new MuxStream.Waiting(s.fed, w.promise));
        continue;
      }
      s.fed += n;
      s.unfedBytes -= n;
      s.unfed.poll();
      w.buf.release();
      s.waiting.add(new MuxStream.Waiting(s.fed, w.promise));
    }
  }

  /** Writability of {@code s}'s channel: room in the stream, no wait for escrow, link writable. */
  void writability(MuxStream s) {
    long held = s.unfedBytes + (codec.isOpen(s.id) ? codec.pending(s.id) : 0);
    boolean w = s.child.isWritable();
    if (w && (held > FrameWriter.HIGH || s.waitingEscrow || !ctx.channel().isWritable())) {
      s.child.writable(false);
    } else if (!w && held < FrameWriter.LOW && !s.waitingEscrow && ctx.channel().isWritable()) {
      s.child.writable(true);
    }
  }

  /**
   * The egress of {@code s} was refused: what it holds is dropped, and its listener answers (a 429
   * while nothing of the response left, paid from control) or the stream is reset. Other streams
   * are untouched.
   */
  void refuse(MuxStream s, Refusal r) {
    if (codec.isOpen(s.id)) {
      codec.discard(s.id);
    }
    s.pendingControl = false;
    s.oldestPending = MuxStream.NEVER;
    MuxStream.Write w;
    while ((w = s.unfed.poll()) != null) {
      w.buf.release();
      w.promise.tryFailure(new RefusedException());
    }
    s.unfedBytes = 0;
    MuxStream.Waiting x;
    while ((x = s.waiting.poll()) != null) {
      x.promise().tryFailure(new RefusedException());
    }
    s.fed = s.committed;
    boolean nothingLeft = s.meter.chargedSinceMark() == 0;
    if (!nothingLeft) {
      s.cut = true;
    }
    if (!s.meter.refuse(r)) {
      s.record.outcome(
          nothingLeft
              ? dev.sluice.gateway.evidence.ConnectionRecord.Decision.DENY
              : dev.sluice.gateway.evidence.ConnectionRecord.Decision.CUT,
          r.reason());
      s.reset = MuxMessage.ResetCode.DENIED;
      s.resetReason = r.label();
      s.child.closeNow();
    }
  }

  /** A write refused on a stream of a link (the stream was refused, reset or ended). */
  static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedException() {
      super("egress refused on this stream of the edge link", null, false, false);
    }
  }
}
