package dev.sluice.gateway.scan;

import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.refusal.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * The scan stage on the byte level ({@code Stages.SCAN}), for the egress side of a tcp connection,
 * a CONNECT tunnel, a forward request to a destination and a stream of an edge link: every byte
 * written toward the outside passes the stream's detectors ({@link Detector#session}) before it
 * reaches the meter below. The bytes are the connection's as the gateway writes them: plaintext for
 * tcp and absolute-URI requests (head and body), and whatever a CONNECT client sends inside its
 * tunnel, which is normally TLS the gateway does not terminate (so nothing is found in it) but is
 * plaintext when a client tunnels plaintext.
 *
 * <p>With {@code action: alert} writes pass at once and a finding is only recorded. With {@code
 * action: block} writes are held back ({@link HoldBack}: at least {@link HoldBack#LIMIT} bytes,
 * each for at most {@code detection.hold} ({@link Detector#hold()})). A finding stops the stream:
 * nothing more leaves, its {@code detection} entry is appended, and only once the ledger has it
 * ({@link Ledgered}) is what is held dropped (promises failed) and the channel closed: a cut, as no
 * protocol here can say why. Writes arriving meanwhile are parked and failed with the held ones, so
 * the relay above does not close the connection before the entry is durable.
 *
 * <p>The end of the stream is judged before its last held bytes leave: at a close, and at a
 * half-close ({@link #endOfStream}, which the tcp relay calls before it shuts the channel's output
 * down, as a shutdown does not pass the pipeline). Bytes written after the end are refused.
 *
 * <p>Never throws: a detector that fails is logged and the stream passes unscanned from there. One
 * instance per channel.
 */
public final class ScanStage extends ChannelDuplexHandler {

  private final Detector detector;
  private final ConnectionRecord rec;
  private final BodyScan scan;
  private final HoldBack hold;
  private long passed;
  private boolean stopped;
  private boolean ended;
  private CompletableFuture<Long> cutEntry;
  private boolean cut;

  ScanStage(Detector detector, ConnectionRecord rec) {
    this.detector = detector;
    this.rec = rec;
    this.scan = detector.body(rec, null);
    this.hold = detector.holdBack();
  }

  /**
   * The stream written to {@code ch} ends here (its source half-closed): the scan stage of {@code
   * ch}, if any, judges its last chunk and window and, if they are clean, passes on what it holds;
   * on a finding the stream is cut instead. Call on the channel's event loop, before the write that
   * flushes the end out.
   */
  public static void endOfStream(Channel ch) {
    ChannelHandlerContext ctx = ch.pipeline().context(ScanStage.class);
    if (ctx != null) {
      ((ScanStage) ctx.handler()).end(ctx);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (stopped) {
      if (cut) {
        ReferenceCountUtil.release(msg);
        HoldBack.failQuietly(promise, "weights detected: the stream was stopped");
      } else {
        hold.park(msg, promise); // failed once the finding is in the ledger
      }
      return;
    }
    int n = msg instanceof ByteBuf b ? b.readableBytes() : 0;
    if (ended) {
      if (n > 0) { // nothing may follow the end: these bytes could not be judged with the rest
        ReferenceCountUtil.release(msg);
        HoldBack.failQuietly(promise, "bytes written after the end of the stream");
      } else {
        ctx.write(msg, promise);
      }
      return;
    }
    Finding f = msg instanceof ByteBuf b ? scan.feed(b) : null;
    if (detector.blocks()) {
      hold.add(ctx, msg, n, promise);
    } else {
      passed += n;
      ctx.write(msg, promise);
    }
    if (f != null) {
      found(ctx, f);
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    if (stopped) {
      return; // what may leave was flushed at the finding; the rest is discarded at the close
    }
    if (detector.blocks()) {
      hold.flushed(ctx);
    }
    ctx.flush();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    end(ctx);
    if (stopped && !cut) {
      Ledgered.then(ctx, cutEntry, () -> ctx.close(promise)); // the entry first, then the close
      return;
    }
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    hold.drop("the channel closed");
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    hold.drop("the scan stage was removed");
  }

  /** The stream ends: the last chunk and window are judged, then what is held leaves. */
  private void end(ChannelHandlerContext ctx) {
    if (stopped || ended) {
      return;
    }
    ended = true;
    Finding f = scan.end();
    if (f != null) {
      found(ctx, f);
    }
    if (!stopped) {
      hold.releaseAll(ctx);
      ctx.flush();
    }
  }

  private void found(ChannelHandlerContext ctx, Finding f) {
    if (!detector.blocks()) {
      scan.report(f, passed, false);
      return;
    }
    stopped = true;
    hold.freeze();
    long out = hold.released();
    if (f.offset() >= out) {
      ctx.flush(); // what was passed on lies before the weights: it leaves, the rest does not
    }
    rec.outcome(ConnectionRecord.Decision.CUT, Reason.WEIGHTS_DETECTED);
    cutEntry = scan.report(f, out, true);
    Ledgered.then(
        ctx,
        cutEntry,
        () -> {
          cut = true;
          hold.drop("weights detected: the stream was stopped");
          ctx.channel().close();
        });
  }
}
