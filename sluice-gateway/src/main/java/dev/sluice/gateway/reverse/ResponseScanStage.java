package dev.sluice.gateway.reverse;

import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.scan.BodyScan;
import dev.sluice.gateway.scan.Detector;
import dev.sluice.gateway.scan.Finding;
import dev.sluice.gateway.scan.HoldBack;
import dev.sluice.gateway.scan.Ledgered;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * The scan stage of a reverse listener ({@code Stages.SCAN}): sits directly above the HTTP server
 * codec, so it sees each response as the proxy writes it (head, then body pieces) before the codec
 * frames it and before the edge codec and the meter below. Each response body is one stream for the
 * detectors, given the response's {@code Content-Encoding} so a gzip, deflate, zstd or br body is
 * scanned decoded; the gateway's own answers (full responses) are scanned too.
 *
 * <p>With {@code action: block} the head and the body are held back ({@link HoldBack}); on a
 * finding nothing more leaves, the {@code detection} entry is appended, and once the ledger has it
 * ({@link Ledgered}) what is held is dropped and, if the head was still held (nothing of the
 * response had left), the client gets {@code 403 {"error":{"type":"weights_detected",...}}} with
 * {@code Connection: close}; otherwise the connection is cut. Either way the connection closes (the
 * upstream is still sending the rest of that response) and later writes are dropped. A close in the
 * middle of a body (an upstream that ended it by closing) judges the body's end before its held
 * bytes leave. With {@code action: alert} nothing is held and a finding is only recorded.
 *
 * <p>Never throws. One instance per client connection (or edge stream).
 */
final class ResponseScanStage extends ChannelDuplexHandler {

  private final Detector detector;
  private final ConnectionRecord rec;
  private final HoldBack hold;
  private BodyScan body;
  private HttpResponse head;
  private long passed;
  private long added;
  private long bodyBase;
  private boolean stopped;
  private CompletableFuture<Long> cutEntry;
  private boolean cut;

  ResponseScanStage(Detector detector, ConnectionRecord rec) {
    this.detector = detector;
    this.rec = rec;
    this.hold = detector.holdBack();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (stopped) {
      if (cut) {
        ReferenceCountUtil.release(msg);
        HoldBack.failQuietly(promise, "weights detected: the response was stopped");
      } else {
        hold.park(msg, promise); // failed once the finding is in the ledger
      }
      return;
    }
    Finding f = null;
    int n = 0;
    if (msg instanceof HttpResponse res) {
      head = res;
      bodyBase = added;
      body = detector.body(rec, res.headers().get(HttpHeaderNames.CONTENT_ENCODING));
    }
    if (msg instanceof HttpContent c && body != null) {
      n = c.content().readableBytes();
      f = body.feed(c.content());
      if (f == null && msg instanceof LastHttpContent) {
        f = body.end();
      }
    }
    boolean last = msg instanceof LastHttpContent;
    added += n;
    if (detector.blocks()) {
      hold.add(ctx, msg, n, promise);
    } else {
      passed += n;
      ctx.write(msg, promise);
    }
    if (f != null) {
      found(ctx, f);
    } else if (last) {
      body = null;
      head = null;
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
    if (!stopped && body != null) { // a body cut short: its end is judged before it leaves
      Finding f = body.end();
      body = null;
      if (f != null) {
        found(ctx, f);
      }
    }
    if (stopped && !cut) {
      Ledgered.then(ctx, cutEntry, () -> ctx.close(promise)); // the entry first, then the close
      return;
    }
    if (!stopped) {
      hold.releaseAll(ctx);
      ctx.flush();
    }
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    hold.drop("the connection closed");
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    hold.drop("the scan stage was removed");
  }

  private void found(ChannelHandlerContext ctx, Finding f) {
    if (!detector.blocks()) {
      body.report(f, passed - bodyBase, false);
      return;
    }
    stopped = true;
    hold.freeze();
    boolean started = head == null || !hold.holds(head);
    long left = Math.max(0, hold.released() - bodyBase);
    if (started && f.offset() >= left) {
      ctx.flush(); // what was passed on lies before the weights: it leaves, the rest does not
    }
    rec.outcome(
        started ? ConnectionRecord.Decision.CUT : ConnectionRecord.Decision.DENY,
        Reason.WEIGHTS_DETECTED);
    cutEntry = body.report(f, left, true);
    Ledgered.then(
        ctx,
        cutEntry,
        () -> {
          cut = true;
          hold.drop("weights detected: the response was stopped");
          if (started) {
            ctx.close();
            return;
          }
          FullHttpResponse refusal =
              JsonResponses.error(
                  Reason.WEIGHTS_DETECTED,
                  Reason.WEIGHTS_DETECTED.message(),
                  ",\"kind\":" + Json.str(f.kind().label()));
          refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
        });
  }
}
