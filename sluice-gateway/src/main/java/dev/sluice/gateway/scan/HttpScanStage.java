package dev.sluice.gateway.scan;

import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.refusal.Reason;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The scan stage on the HTTP message level ({@code Stages.SCAN}), directly above an HTTP codec: it
 * sees each message as the gateway writes it (head, then body pieces) before the codec frames it
 * and before the edge codec and the meter below. Used for reverse responses toward clients (with a
 * refusal) and forward requests toward destinations (without). Each body is one stream for the
 * detectors, given its message's {@code Content-Encoding}, so a gzip, deflate, zstd or br body is
 * scanned decoded; a body's end ({@link LastHttpContent}) is judged before its last held bytes
 * leave, so a body shorter than the hold-back is judged whole. A request head of at least {@link
 * #HEAD_SCANNED} bytes (URI and header values) is scanned as a stream of its own (the detectors
 * judge nothing shorter).
 *
 * <p>With {@code action: block} heads and bodies are held back ({@link HoldBack}); on a finding
 * nothing more leaves, the {@code detection} entry is appended, and once the ledger has it ({@link
 * Ledgered}) what is held is dropped and, if a refusal was given and the head is still held
 * (nothing of the message had left), the refusal is written with {@code Connection: close}
 * (reverse: {@code 403 weights_detected}); otherwise the connection is cut. Either way the
 * connection closes and later writes are dropped. A close in the middle of a body (an upstream that
 * ended it by closing) judges the body's end before its held bytes leave. With {@code action:
 * alert} nothing is held and a finding is only recorded.
 *
 * <p>Never throws. One instance per connection (or edge stream).
 */
public final class HttpScanStage extends ChannelDuplexHandler {

  /** The fewest head bytes scanned: neither detector judges less (a chunk, a tensor block). */
  public static final int HEAD_SCANNED = 4096;

  private final Detector detector;
  private final ConnectionRecord rec;
  private final Function<Finding, FullHttpResponse> refusal;
  private final HoldBack hold;
  private BodyScan body;
  private HttpMessage head;
  private long passed;
  private long added;
  private long bodyBase;
  private boolean stopped;
  private CompletableFuture<Long> cutEntry;
  private boolean cut;

  /**
   * @param refusal the answer to a finding while nothing of the message had left ({@code
   *     Connection: close} is set on it), or null: a finding always cuts
   */
  public HttpScanStage(
      Detector detector, ConnectionRecord rec, Function<Finding, FullHttpResponse> refusal) {
    this.detector = detector;
    this.rec = rec;
    this.refusal = refusal;
    this.hold = detector.holdBack();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (stopped) {
      if (cut) {
        ReferenceCountUtil.release(msg);
        HoldBack.failQuietly(promise, "weights detected: the message was stopped");
      } else {
        hold.park(msg, promise); // failed once the finding is in the ledger
      }
      return;
    }
    Finding f = null;
    int n = 0;
    if (msg instanceof HttpMessage m) {
      head = m;
      bodyBase = added;
      f = m instanceof HttpRequest r ? scanHead(r) : null;
      body = detector.body(rec, m.headers().get(HttpHeaderNames.CONTENT_ENCODING));
    }
    if (msg instanceof HttpContent c && body != null) {
      n = c.content().readableBytes();
      Finding inBody = body.feed(c.content());
      if (inBody == null && msg instanceof LastHttpContent) {
        inBody = body.end();
      }
      f = f != null ? f : inBody;
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
      if (detector.blocks()) {
        hold.releaseAll(ctx); // judged whole: nothing of it waits for the deadline
      }
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

  /**
   * A request head long enough to be judged, as a stream of its own (the URI and each header value,
   * separated by a quote); its finding, or null.
   */
  private Finding scanHead(HttpRequest r) {
    long size = r.uri().length();
    for (Map.Entry<String, String> h : r.headers()) {
      size += h.getValue().length() + 1;
    }
    if (size < HEAD_SCANNED) {
      return null;
    }
    StringBuilder text = new StringBuilder((int) Math.min(size, Integer.MAX_VALUE - 8));
    text.append(r.uri());
    for (Map.Entry<String, String> h : r.headers()) {
      text.append('"').append(h.getValue()); // a quote ends a base64 or hex run: values align
    }
    BodyScan s = detector.body(rec, null);
    Finding f = s.feed(Unpooled.wrappedBuffer(text.toString().getBytes(StandardCharsets.UTF_8)));
    return f != null ? f : s.end();
  }

  private void found(ChannelHandlerContext ctx, Finding f) {
    if (!detector.blocks()) {
      body.report(f, passed - bodyBase, false);
      return;
    }
    stopped = true;
    hold.freeze();
    boolean started = refusal == null || head == null || !hold.holds(head);
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
          hold.drop("weights detected: the message was stopped");
          if (started) {
            ctx.close();
            return;
          }
          FullHttpResponse answer = refusal.apply(f);
          answer.headers().set(HttpHeaderNames.CONNECTION, "close");
          ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
        });
  }
}
