package dev.sluice.gateway.edge;

import dev.sluice.codec.CodecFormatException;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.LinkDecoder;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.edge.MuxMessage.Data;
import dev.sluice.gateway.edge.MuxMessage.End;
import dev.sluice.gateway.edge.MuxMessage.Frame;
import dev.sluice.gateway.edge.MuxMessage.GoAway;
import dev.sluice.gateway.edge.MuxMessage.Open;
import dev.sluice.gateway.edge.MuxMessage.Ping;
import dev.sluice.gateway.edge.MuxMessage.Pong;
import dev.sluice.gateway.edge.MuxMessage.Reset;
import dev.sluice.gateway.edge.MuxMessage.ResetCode;
import dev.sluice.gateway.edge.MuxMessage.Window;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.time.Clock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge's end of one multiplexed link (version 2, {@link MuxFormat}), after its {@link
 * MuxFrameCodec}; the link and all its clients share one event loop. It says HELLO, checks the
 * ACCEPT (version, codec, model, and that a plain TCP link keeps its checksums), then carries each
 * client connection {@link #attach attached} to it as a stream: OPEN with the client's address and
 * the downward window, the client's bytes up as DATA within the upward credit (the client is read
 * only while there is some), the gateway's FRAMEs through one {@link LinkDecoder} to the clients,
 * WINDOW back as each client's socket takes its bytes. A slow client holds up only its stream.
 *
 * <p>Closing: the client's close sends END (RESET if it failed); the gateway's END closes the
 * client cleanly once everything was written, after checking the decoded count; its RESET resets
 * the client. Anything wrong on the link (a rejected or truncated stream, REFUSE, ERROR, a FRAME
 * that does not decode, an END whose count differs) ends the link with ERROR naming the offset and
 * resets every client on it (RST, SO_LINGER 0): only bytes of frames that passed every check were
 * ever written to a client, and no client takes a cut response for a whole one. GOAWAY from the
 * gateway: no new streams here (the edge opens another link), the link closes once its streams are
 * done.
 */
public final class EdgeMux extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger("sluice.edge");

  /** Decoded bytes the gateway may send on a stream before the edge grants more. */
  public static final int DOWN_WINDOW = 256 << 10;

  /** How long a draining link waits for the gateway to close it after GOAWAY. */
  static final int CLOSE_WAIT_SECONDS = 5;

  /** What the edge's link pool learns from a link. */
  interface Pool {
    /** The link accepted: streams may be opened. */
    void ready(EdgeMux mux);

    /** The link takes no new streams any more (GOAWAY, failure, close). */
    void gone(EdgeMux mux);
  }

  private enum State {
    HELLO,
    OPEN,
    DRAINING,
    ENDED
  }

  private final CodecModel model;
  private final Hello hello;
  private final boolean tls;
  private final Pool pool;
  private final Clock clock;
  private final LinkDecoder decoder;
  private final Map<Integer, EdgeStream> streams = new LinkedHashMap<>();
  private ChannelHandlerContext ctx;
  private MuxFrameCodec codec;
  private State state = State.HELLO;
  private int nextId;
  private long upWindow;
  private long ping;
  private KeepAlive keepAlive;
  private boolean goneAwaySent;

  EdgeMux(CodecModel model, boolean tls, Pool pool, Clock clock) {
    this.model = model;
    this.tls = tls;
    this.pool = pool;
    this.clock = clock;
    this.hello =
        new Handshake(List.of(MuxFormat.VERSION), List.of(EdgeLink.CODEC_STREAM), model.id())
            .hello("");
    this.decoder = new LinkDecoder(model);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.codec = ctx.pipeline().get(MuxFrameCodec.class);
    this.keepAlive = new KeepAlive(ctx, clock);
  }

  /** Streams open on this link now. */
  int streams() {
    return streams.size();
  }

  boolean ready() {
    return state == State.OPEN && ctx.channel().isActive();
  }

  /** Ready, or still in its handshake: no other link is needed for now. */
  boolean usable() {
    return (state == State.OPEN || state == State.HELLO) && ctx.channel().isActive();
  }

  Channel channel() {
    return ctx.channel();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    keepAlive.heard();
    ctx.writeAndFlush(hello);
    ctx.channel().config().setAutoRead(true);
    ctx.fireChannelActive();
  }

  // ---- clients ----

  /** Carries {@code client} (on this link's event loop) as a new stream; false if it cannot. */
  boolean attach(Channel client) {
    if (!ready() || nextId < 0) {
      return false;
    }
    String address =
        client.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
            ? a.getAddress().getHostAddress().replace('%', '_') + ":" + a.getPort()
            : "";
    int id = nextId++;
    EdgeStream s = new EdgeStream(id, client, address, upWindow);
    streams.put(id, s);
    decoder.open(id);
    ctx.writeAndFlush(new Open(id, DOWN_WINDOW, address));
    client.pipeline().addLast("edge-client", new EdgeClientHandler(this, s));
    client.config().setAutoRead(false);
    client.read();
    return true;
  }

  /** The client of {@code s} sent {@code buf}: up within the credit, the rest held. */
  void clientBytes(EdgeStream s, ByteBuf buf) {
    if (s.upEnded || state == State.ENDED) {
      buf.release();
      return;
    }
    s.held.add(buf);
    sendHeld(s);
  }

  /** A read of the client of {@code s} is over: flush the link, read on while there is credit. */
  void clientReadDone(EdgeStream s) {
    ctx.flush();
    readMore(s);
  }

  /** The client of {@code s} closed (END up) or failed (RESET up, {@code cause} not null). */
  void clientGone(EdgeStream s, Throwable cause) {
    if (s.upEnded || state == State.ENDED) {
      return;
    }
    s.upEnded = true;
    s.releaseHeld();
    if (s.downEnded) {
      return;
    }
    if (cause == null) {
      ctx.writeAndFlush(new End(s.id, s.upBytes));
    } else {
      log.debug("client {} failed: {}", LogValue.of(s.address), LogValue.of(cause.toString()));
      ctx.writeAndFlush(new Reset(s.id, ResetCode.CANCEL, "the client connection failed"));
    }
  }

  /** Sends what the client gave as far as the credit goes. */
  private void sendHeld(EdgeStream s) {
    while (s.credit > 0 && !s.held.isEmpty()) {
      ByteBuf b = s.held.peek();
      int n = (int) Math.min(Math.min(b.readableBytes(), s.credit), MuxFormat.MAX_PAYLOAD - 8);
      byte[] bytes = new byte[n];
      b.readBytes(bytes);
      if (!b.isReadable()) {
        s.held.poll().release();
      }
      s.credit -= n;
      s.upBytes += n;
      ctx.write(new Data(s.id, bytes));
    }
  }

  private void readMore(EdgeStream s) {
    if (s.credit > 0 && s.held.isEmpty() && !s.upEnded && s.client.isActive()) {
      s.client.read();
    }
  }

  // ---- from the gateway ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof MuxFrameDecoder.Received r) {
        keepAlive.heard();
        if (state != State.ENDED) {
          read(r);
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
    } catch (RuntimeException e) {
      fail(ErrorCode.INTERNAL, "internal failure of the edge: " + e);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    for (EdgeStream s : streams.values()) {
      if (s.dirty) {
        s.dirty = false;
        s.client.flush();
      }
    }
    ctx.flush();
    ctx.fireChannelReadComplete();
  }

  private void read(MuxFrameDecoder.Received r) {
    Object m = r.message();
    if (m instanceof MuxAccept a) {
      accept(a, r);
    } else if (m instanceof Refuse x) {
      end("the gateway refused the link (" + x.code() + "): " + x.reason());
      ctx.close();
    } else if (m instanceof LinkError e) {
      end("the gateway ended the link with ERROR " + e.code() + ": " + e.reason());
      ctx.close();
    } else if (m instanceof MuxMessage.Error e) {
      end("the gateway ended the link with ERROR " + e.code() + ": " + e.reason());
      ctx.close();
    } else if (m instanceof Frame f) {
      frame(f, r);
    } else if (m instanceof End e) {
      downEnd(e, r);
    } else if (m instanceof Reset x) {
      EdgeStream s = streams.remove(x.id());
      if (s != null) {
        decoder.close(x.id());
        s.downEnded = true;
        s.releaseHeld();
        reset(s, "the gateway reset the stream (" + x.code() + "): " + x.reason());
        afterStreamEnd();
      }
    } else if (m instanceof Window w) {
      EdgeStream s = streams.get(w.id());
      if (s != null && !s.upEnded) {
        s.credit += w.increment();
        sendHeld(s);
        ctx.flush();
        readMore(s);
      }
    } else if (m instanceof Ping p) {
      ctx.writeAndFlush(new Pong(p.value()));
    } else if (m instanceof GoAway) {
      drain();
    }
    // PONG: the read itself was the sign of life.
  }

  private void accept(MuxAccept a, MuxFrameDecoder.Received r) {
    String wrong = null;
    if (!hello.versions().contains(a.version()) || !hello.codecs().contains(a.codec())) {
      wrong = "the gateway chose version " + a.version() + " and codec " + a.codec();
    } else if (!java.util.Arrays.equals(EdgeLink.modelPrefix(hello.modelId()), a.modelPrefix())) {
      wrong =
          "codec model mismatch: the edge loaded "
              + Handshake.describe(hello.modelId())
              + ", the gateway "
              + Handshake.describe(a.modelPrefix());
    } else if (!tls && !a.checksums()) {
      wrong = "the gateway turned checksums off on a link without TLS";
    }
    if (wrong != null) {
      fail(
          ErrorCode.PROTOCOL, "the gateway's ACCEPT at byte " + r.offset() + " is wrong: " + wrong);
      return;
    }
    codec.encoder().checksums(a.checksums());
    upWindow = a.window();
    ping = TimeUnit.MILLISECONDS.toNanos(a.pingMillis());
    state = State.OPEN;
    keepAlive();
    pool.ready(this);
  }

  private void frame(Frame f, MuxFrameDecoder.Received r) {
    try {
      decoder.decode(f.payload(), 0, f.payload().length, this::toClient);
    } catch (CodecFormatException e) {
      fail(
          ErrorCode.CODEC,
          "edge link stream from the gateway, byte "
              + (r.offset() + r.header() + e.offset())
              + " (FRAME at byte "
              + r.offset()
              + "): "
              + e.getMessage());
    }
  }

  private void toClient(int id, byte[] b, int off, int len) {
    EdgeStream s = streams.get(id);
    if (s == null) {
      return;
    }
    if (!s.client.isActive()) {
      grant(s, len); // nobody to wait for: the gateway may finish the stream
      return;
    }
    s.dirty = true;
    s.client
        .write(Unpooled.wrappedBuffer(b, off, len).copy())
        .addListener(
            f -> {
              if (f.isSuccess()) {
                grant(s, len);
              }
            });
  }

  /** The client's socket took {@code n} decoded bytes: grant the gateway as many. */
  private void grant(EdgeStream s, int n) {
    s.drained += n;
    if (s.drained >= DOWN_WINDOW / 4 && !s.downEnded && state != State.ENDED) {
      ctx.writeAndFlush(new Window(s.id, (int) s.drained));
      s.drained = 0;
    }
  }

  private void downEnd(End e, MuxFrameDecoder.Received r) {
    EdgeStream s = streams.get(e.id());
    if (s == null) {
      return;
    }
    long decoded = decoder.close(e.id());
    if (decoded != e.bytes()) {
      fail(
          ErrorCode.CODEC,
          "edge link stream from the gateway, byte "
              + (r.offset() + r.header())
              + " (END at byte "
              + r.offset()
              + "): END of stream "
              + e.id()
              + " says "
              + e.bytes()
              + " bytes, its frames decoded to "
              + decoded);
      return;
    }
    streams.remove(e.id());
    s.downEnded = true;
    s.releaseHeld();
    if (!s.upEnded) {
      s.upEnded = true;
      ctx.writeAndFlush(new End(s.id, s.upBytes));
    }
    s.client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    afterStreamEnd();
  }

  // ---- draining, failure ----

  /** No new streams; GOAWAY and close once the streams are done. */
  void drain() {
    if (state == State.OPEN || state == State.HELLO) {
      state = State.DRAINING;
      pool.gone(this);
    }
    afterStreamEnd();
  }

  private void afterStreamEnd() {
    if (state == State.DRAINING && streams.isEmpty() && ctx.channel().isActive()) {
      if (!goneAwaySent && codec.encoder().started() && !codec.encoder().finished()) {
        // The gateway answers with its own GOAWAY and closes: waiting for that close (not closing
        // first) lets everything it wrote, and paid for, reach this side.
        goneAwaySent = true;
        ctx.writeAndFlush(new GoAway(Math.max(0, nextId - 1)));
        ctx.executor().schedule(() -> ctx.close(), CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
      } else if (!goneAwaySent) {
        ctx.close();
      }
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof LinkFailure f) {
      end("link rejected: " + f.cause().getMessage());
      return; // the codec sends ERROR and closes
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end("the gateway closed the link");
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.fireExceptionCaught(cause); // the codec sends ERROR INTERNAL and closes
  }

  /** A problem this edge found in the gateway's stream: ERROR, close, every client reset. */
  private void fail(ErrorCode code, String reason) {
    if (state == State.ENDED) {
      return;
    }
    end(reason);
    codec.sendErrorAndClose(ctx, code, reason);
  }

  /** The link is over: every client still on it is reset, after one log line each. */
  private void end(String why) {
    if (state == State.ENDED) {
      return;
    }
    State was = state;
    state = State.ENDED;
    if (was != State.DRAINING) {
      pool.gone(this);
    }
    List<EdgeStream> open = new ArrayList<>(streams.values());
    streams.clear();
    if (open.isEmpty() && was != State.HELLO) {
      log.debug("edge link closed: {}", LogValue.of(why));
    } else if (open.isEmpty()) {
      log.warn("edge link failed: {}", LogValue.of(why));
    }
    for (EdgeStream s : open) {
      s.releaseHeld();
      reset(s, why);
    }
  }

  private void reset(EdgeStream s, String why) {
    log.warn(
        "client {} aborted: {}",
        LogValue.of(s.address.isEmpty() ? "-" : s.address),
        LogValue.of(why));
    if (s.client.isActive()) {
      s.client.config().setOption(ChannelOption.SO_LINGER, 0);
      s.client.close();
    }
  }

  private void keepAlive() {
    keepAlive.start(
        ping,
        () -> state != State.ENDED,
        new KeepAlive.Peer() {
          @Override
          public void ping(long value) {
            ctx.writeAndFlush(new Ping(value));
          }

          @Override
          public void timedOut(long silentMillis) {
            fail(ErrorCode.TIMEOUT, "no frame from the gateway for " + silentMillis + " ms");
          }
        });
  }
}
