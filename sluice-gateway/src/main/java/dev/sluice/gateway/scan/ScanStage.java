package dev.sluice.gateway.scan;

import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.refusal.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;

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
 * each for at most {@code detection.hold} ({@link Detector#hold()})); a finding drops what is held
 * (its promises fail), records the finding with the bytes that had left, and closes the channel: a
 * cut, as no protocol here can say why. At close the last chunk and window are judged before the
 * held bytes leave.
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

  ScanStage(Detector detector, ConnectionRecord rec) {
    this.detector = detector;
    this.rec = rec;
    this.scan = detector.body(rec, null);
    this.hold = detector.holdBack();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (stopped) {
      ReferenceCountUtil.release(msg);
      HoldBack.failQuietly(promise, "weights detected: the stream was stopped");
      return;
    }
    int n = msg instanceof ByteBuf b ? b.readableBytes() : 0;
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
    if (!stopped && detector.blocks()) {
      hold.flushed(ctx);
    }
    ctx.flush();
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    end(ctx);
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
    hold.drop("weights detected: the stream was stopped");
    if (f.offset() >= hold.released()) {
      ctx.flush(); // what was passed on lies before the weights: it leaves, the rest does not
    }
    scan.report(f, hold.released(), true);
    rec.outcome(ConnectionRecord.Decision.CUT, Reason.WEIGHTS_DETECTED);
    ctx.channel().close();
  }
}
