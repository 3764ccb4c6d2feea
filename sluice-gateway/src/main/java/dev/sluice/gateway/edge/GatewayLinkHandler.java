package dev.sluice.gateway.edge;

import dev.sluice.codec.CodecModel;
import dev.sluice.codec.StreamEncoder;
import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.meter.EgressMeter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's end of one edge link, between the {@link LinkFrameCodec} (below) and the listener's
 * normal HTTP pipeline (above), which it makes believe it talks to a socket:
 *
 * <ul>
 *   <li>It waits for the edge's HELLO and answers with {@link Handshake#answer}: ACCEPT with codec
 *       1 (Sluice's stream codec) and this gateway's model id, or REFUSE naming both sides (and
 *       then closes). Only codec 1 is offered: a link exists to compress, and the handshake refuses
 *       a model mismatch whatever the codec, so identity would never be chosen.
 *   <li>Upward DATA payloads go up the pipeline as plain {@link ByteBuf}s, as if read from a
 *       socket. The edge's END (its client is done) or ERROR closes the link, as a client's FIN or
 *       RST closes a direct connection.
 *   <li>Outbound bytes go into a {@link StreamEncoder}. A segment is cut when the HTTP layer
 *       flushes (each upstream read, so each SSE event leaves at once) and when it holds {@link
 *       StreamEncoder#MAX_SEGMENT_INPUT} bytes; each segment is one DATA frame. The model state
 *       carries across segments, so flushing costs a few bytes, not the compression.
 *   <li>Write promises complete only when the frame carrying the last of their bytes was written
 *       (charged by the {@link EgressMeter} below and handed to the socket), so back-pressure works
 *       as on a direct connection: relays read the next chunk only once their last write completed.
 *   <li>A frame written while the meter is in control mode (a denial response) is a control write,
 *       whatever else it carries.
 *   <li>Close from above: the last segment, END with the DATA count and the raw byte count, then
 *       close. A frame that was never written (the meter refused it) has spent its sequence number
 *       and, for DATA, advanced the encoder's model state past the edge's decoder, so no frame may
 *       follow it: the link is closed without END, the edge sees a truncated stream and aborts its
 *       client's connection. A denial response the HTTP layer writes after such a refusal fails
 *       (the client sees the abort instead of the 429; a refusal decided before any frame was
 *       refused, such as a spent budget found before forwarding, is answered normally).
 * </ul>
 *
 * <p>Never throws out of a handler method: a failure becomes an ERROR frame (or the codec's), a
 * close, a {@link EdgeStats#failed} count and the connection record's outcome, which the listener's
 * handler writes to the ledger when the connection closes.
 *
 * <p>Failure reasons counted: {@code refused_version}, {@code refused_model}, {@code refused_codec}
 * (the handshake), {@code protocol} (the edge's stream was rejected or truncated), {@code
 * edge_error} (the edge sent ERROR), {@code denied} (a DATA frame was refused by the meter), {@code
 * internal}.
 */
public final class GatewayLinkHandler extends ChannelDuplexHandler {

  private static final Logger log = LoggerFactory.getLogger(GatewayLinkHandler.class);

  /** Id of Sluice's stream codec ({@link StreamEncoder} segments, one per DATA frame). */
  public static final int CODEC_STREAM = EdgeLink.CODEC_STREAM;

  private static final int SCRATCH = 64 << 10;

  private enum State {
    AWAIT_HELLO,
    OPEN,
    ENDED
  }

  private final Handshake handshake;
  private final CodecModel model;
  private final EgressMeter meter;
  private final LinkFrameCodec codec;
  private final ConnectionRecord record;
  private final EdgeStats stats;

  private State state = State.AWAIT_HELLO;
  private StreamEncoder encoder;
  private final List<ChannelPromise> waiting = new ArrayList<>();
  private byte[] scratch;

  /** A DATA frame was not written: the edge's codec state is behind ours. */
  private boolean desynced;

  private boolean failureCounted;

  /** Something went up the pipeline during the current read. */
  private boolean firedUp;

  /**
   * @param model the codec model of this gateway (its id goes into ACCEPT)
   * @param meter the meter at the head of this link's pipeline
   * @param codec the link's frame codec (for the bytes it wrote)
   * @param record the connection's record (outcome on failure)
   * @param stats where raw and wire bytes and failures are counted
   */
  public GatewayLinkHandler(
      CodecModel model,
      EgressMeter meter,
      LinkFrameCodec codec,
      ConnectionRecord record,
      EdgeStats stats) {
    this.model = model;
    this.handshake = new Handshake(List.of(EdgeLink.VERSION), List.of(CODEC_STREAM), model.id());
    this.meter = meter;
    this.codec = codec;
    this.record = record;
    this.stats = stats;
  }

  /** The handshake this gateway answers with (versions, codecs, model id). */
  public Handshake handshake() {
    return handshake;
  }

  // ---- from the edge ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof LinkMessage m) {
        read(ctx, m);
      } else {
        ReferenceCountUtil.release(msg);
      }
    } catch (RuntimeException e) {
      internal(ctx, e);
    }
  }

  private void read(ChannelHandlerContext ctx, LinkMessage m) {
    if (m instanceof Hello hello) {
      hello(ctx, hello);
    } else if (m instanceof Data d) {
      if (state == State.OPEN) {
        firedUp = true;
        ctx.fireChannelRead(Unpooled.wrappedBuffer(d.bytes()));
      }
    } else if (m instanceof End) {
      // The edge's client is done sending: as a direct client's FIN, it ends the connection.
      if (state == State.OPEN) {
        ctx.channel().close();
      }
    } else if (m instanceof LinkError e) {
      if (state != State.ENDED) {
        count("edge_error");
        record.outcome(
            ConnectionRecord.Decision.ERROR,
            "edge_error_" + e.code().name().toLowerCase(Locale.ROOT));
        log.debug("edge link closed by the edge: {} {}", e.code(), e.reason());
      }
      state = State.ENDED;
      failWaiting(new LinkClosedException("the edge ended the link with ERROR " + e.code()));
      ctx.close();
    }
    // PONG and anything else: nothing to do (the codec answers PINGs itself).
  }

  private void hello(ChannelHandlerContext ctx, Hello hello) {
    LinkMessage answer = handshake.answer(hello);
    if (answer instanceof Refuse r) {
      state = State.ENDED;
      String reason = "refused_" + r.code().name().toLowerCase(Locale.ROOT);
      count(reason);
      record.outcome(ConnectionRecord.Decision.DENY, "edge_" + reason);
      log.warn("edge link from {} refused: {}", record.client, r.reason());
      meter.control(() -> ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE));
      return;
    }
    encoder = new StreamEncoder(model);
    state = State.OPEN;
    writeFrame(ctx, answer, List.of());
    ctx.flush();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    boolean fired = firedUp;
    firedUp = false;
    if (!fired && !ctx.channel().config().isAutoRead() && state != State.ENDED) {
      // A read that carried only link frames (HELLO, PING, part of a frame): handlers above that
      // read on demand would wait forever for bytes they never saw, so read on for them.
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof LinkFailure f) {
      if (desynced || meter.refused()) {
        // The meter refused a frame and closed the link; the edge's stream was cut by that close.
        count("denied");
      } else if (state != State.ENDED) {
        count(f.cause() instanceof LinkFormatException ? "protocol" : "internal");
        record.outcome(ConnectionRecord.Decision.ERROR, "edge_link_failed");
        log.warn("edge link from {} failed: {}", record.client, f.cause().getMessage());
      }
      state = State.ENDED;
      failWaiting(new LinkClosedException("the edge link failed"));
      return; // the codec closes the channel; the HTTP layer sees channelInactive
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Only the codec's own failures come from below, and it handles those; pass the rest up.
    ctx.fireExceptionCaught(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.ENDED;
    failWaiting(new LinkClosedException("the edge link closed"));
    ctx.fireChannelInactive();
  }

  // ---- toward the edge ----

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new IllegalStateException("an edge link carries bytes, got " + msg));
      return;
    }
    try {
      if (state != State.OPEN || desynced) {
        promise.tryFailure(
            new LinkClosedException(
                desynced
                    ? "a DATA frame was refused; the link can carry no more data"
                    : "the edge link is not open"));
        return;
      }
      take(ctx, buf);
      if (encoder.pendingBytes() == 0 && waiting.isEmpty()) {
        promise.trySuccess(); // nothing of it (an empty buffer) waits for a frame
      } else {
        waiting.add(promise);
      }
    } catch (RuntimeException e) {
      promise.tryFailure(e);
      internal(ctx, e);
    } finally {
      ReferenceCountUtil.safeRelease(buf);
    }
  }

  /** Feeds {@code buf} to the encoder, cutting a frame each time a segment is full. */
  private void take(ChannelHandlerContext ctx, ByteBuf buf) {
    if (scratch == null) {
      scratch = new byte[SCRATCH];
    }
    while (buf.isReadable()) {
      int n = Math.min(buf.readableBytes(), scratch.length);
      buf.readBytes(scratch, 0, n);
      int off = 0;
      while (off < n) {
        off += encoder.write(scratch, off, n - off);
        if (encoder.pendingBytes() >= StreamEncoder.MAX_SEGMENT_INPUT) {
          cut(ctx, takeWaiting()); // earlier writes end in this segment; this one goes on
        }
      }
    }
  }

  @Override
  public void flush(ChannelHandlerContext ctx) {
    try {
      if (state == State.OPEN && !desynced) {
        cut(ctx, takeWaiting());
      }
    } catch (RuntimeException e) {
      internal(ctx, e);
    }
    ctx.flush();
  }

  /**
   * Ends the encoder's segment and writes it as one DATA frame; {@code done} are the promises of
   * writes whose last byte is in it (or in an earlier frame).
   */
  private void cut(ChannelHandlerContext ctx, List<ChannelPromise> done) {
    int raw = encoder.pendingBytes();
    byte[] seg = encoder.flush();
    if (seg.length == 0) {
      for (ChannelPromise p : done) {
        p.trySuccess();
      }
      return;
    }
    writeFrame(ctx, new Data(seg), done, raw);
  }

  private List<ChannelPromise> takeWaiting() {
    List<ChannelPromise> done = List.copyOf(waiting);
    waiting.clear();
    return done;
  }

  private void writeFrame(ChannelHandlerContext ctx, LinkMessage m, List<ChannelPromise> done) {
    writeFrame(ctx, m, done, 0);
  }

  /**
   * Writes one frame through the codec and the meter; on success counts its bytes as wire bytes
   * (and {@code raw} as raw bytes) of the tenant the meter charged, unless it was a control write,
   * and completes {@code done}; on failure fails them, and a failed DATA frame desyncs the link.
   */
  private void writeFrame(
      ChannelHandlerContext ctx, LinkMessage m, List<ChannelPromise> done, int raw) {
    boolean control = meter.inControl();
    String tenant = tenantOf(meter);
    long before = codec.bytesWritten();
    ChannelPromise framePromise = ctx.newPromise();
    ctx.write(m, framePromise);
    long wire = codec.bytesWritten() - before;
    framePromise.addListener(
        f -> {
          if (f.isSuccess()) {
            if (!control && tenant != null) {
              EdgeStats.Tenant t = stats.tenant(tenant);
              t.wire.add(wire);
              t.raw.add(raw);
            }
            for (ChannelPromise p : done) {
              p.trySuccess();
            }
          } else {
            // The frame's sequence number and codec state are spent but it never left: the
            // next frame would fail its CRC at the edge (which expects this frame's sequence
            // number) and its codec state would be behind, so nothing more may be written.
            desynced = true;
            for (ChannelPromise p : done) {
              p.tryFailure(f.cause());
            }
          }
        });
  }

  /** The budget node id of the tenant the meter charges now ({@code tenant:Z/T}), or null. */
  private static String tenantOf(EgressMeter meter) {
    List<String> ids = meter.account().path().nodeIds();
    return ids.size() > 2 && ids.get(2).startsWith("tenant:") ? ids.get(2) : null;
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (state != State.OPEN || !ctx.channel().isActive()) {
      state = State.ENDED;
      failWaiting(new LinkClosedException("the edge link closed"));
      ctx.close(promise);
      return;
    }
    state = State.ENDED;
    try {
      if (desynced) {
        // No frame may follow one that was refused (it would fail its CRC at the edge): close,
        // and the edge, seeing a truncated stream, aborts its client's connection.
        count("denied");
        failWaiting(new LinkClosedException("a frame was refused; the link is cut"));
        ctx.close(promise);
        return;
      }
      cut(ctx, takeWaiting());
      ChannelPromise endPromise = ctx.newPromise();
      writeFrame(ctx, new End(End.UNCOUNTED, encoder.rawBytes()), List.of(endPromise));
      ctx.flush();
      endPromise.addListener(f -> ctx.close(promise));
    } catch (RuntimeException e) {
      log.warn("edge link from {}: cannot end the stream: {}", record.client, e.toString());
      ctx.close(promise);
    }
  }

  private void failWaiting(Throwable cause) {
    for (ChannelPromise p : waiting) {
      p.tryFailure(cause);
    }
    waiting.clear();
  }

  /** An unexpected exception: ERROR INTERNAL, close, a count. Never rethrown. */
  private void internal(ChannelHandlerContext ctx, Throwable e) {
    if (state == State.ENDED) {
      return;
    }
    state = State.ENDED;
    count("internal");
    record.outcome(ConnectionRecord.Decision.ERROR, "edge_link_internal");
    log.error("edge link from {}: internal failure", record.client, e);
    failWaiting(e);
    try {
      ctx.writeAndFlush(new LinkError(ErrorCode.INTERNAL, "internal failure of the gateway"))
          .addListener(ChannelFutureListener.CLOSE);
    } catch (RuntimeException again) {
      ctx.close();
    }
  }

  private void count(String reason) {
    if (!failureCounted) {
      failureCounted = true;
      stats.failed(reason);
    }
  }

  /** A write that cannot be carried because the link is closed, failed or desynced. */
  static final class LinkClosedException extends Exception {
    private static final long serialVersionUID = 1L;

    LinkClosedException(String message) {
      super(message, null, false, false);
    }
  }
}
