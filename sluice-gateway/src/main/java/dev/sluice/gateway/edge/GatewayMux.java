package dev.sluice.gateway.edge;

import dev.sluice.codec.LinkEncoder;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.edge.MuxMessage.Data;
import dev.sluice.gateway.edge.MuxMessage.End;
import dev.sluice.gateway.edge.MuxMessage.GoAway;
import dev.sluice.gateway.edge.MuxMessage.Open;
import dev.sluice.gateway.edge.MuxMessage.Ping;
import dev.sluice.gateway.edge.MuxMessage.Pong;
import dev.sluice.gateway.edge.MuxMessage.Reset;
import dev.sluice.gateway.edge.MuxMessage.Window;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.evidence.LogValue;
import dev.sluice.gateway.listener.Drain;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.Payer;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.stats.EdgeStats;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's end of one multiplexed edge link (version 2, {@link MuxFormat}), after the {@link
 * MuxFrameCodec}: it answers the edge's HELLO (ACCEPT with the link settings, or REFUSE naming both
 * sides), opens a {@link StreamChannel} with the listener's pipeline ({@link StreamInit}) for each
 * OPEN, delivers each stream's DATA to its channel within the upward window and grants more as the
 * pipeline reads, takes each stream's END and RESET, and sends through its {@link FrameWriter}
 * (which pays for every byte) the streams' egress, ends and resets, and its own WINDOW, PONG, PING
 * and GOAWAY. A slow or refused stream never holds up another; the link's socket writability holds
 * up all.
 *
 * <p>Never throws out of a handler method: a protocol violation ends the link with ERROR PROTOCOL
 * naming the offset, an unexpected exception with ERROR INTERNAL; every stream is aborted and each
 * stream's connection record says {@code edge_link_failed}; a {@link EdgeStats#failed} count. Drain
 * ({@link Drain}): GOAWAY, the streams finish, then the link closes. Keep-alive: after {@link
 * LinkSettings#ping} without a frame from the edge a PING, after three times that ERROR TIMEOUT.
 */
public final class GatewayMux extends ChannelInboundHandlerAdapter implements FrameWriter.Link {

  private static final Logger log = LoggerFactory.getLogger(GatewayMux.class);

  private enum State {
    AWAIT_HELLO,
    OPEN,
    REFUSED,
    ENDED
  }

  private final LinkSettings settings;
  private final ListenerContext lc;
  private final StreamInit init;
  private final MuxFrameCodec codec;
  private final EgressMeter linkMeter;
  private final ConnectionRecord linkRecord;
  private final EdgeStats stats;
  private final Handshake handshake;
  private final FlushTimer.Scheduler scheduler;
  private final io.netty.handler.ssl.SslContext serverTls;
  private GatewayStreams streams;
  private ChannelHandlerContext ctx;
  private FrameWriter writer;
  private State state = State.AWAIT_HELLO;
  private boolean goneAway;
  private boolean peerGoneAway;
  private boolean sendSoon;
  private boolean failureCounted;
  private KeepAlive keepAlive;

  /**
   * @param serverTls the TLS context the link is terminated with (its record costs are measured
   *     once), or null
   * @param scheduler how timers are set (null: the link's event loop)
   */
  public GatewayMux(
      LinkSettings settings,
      ListenerContext lc,
      StreamInit init,
      MuxFrameCodec codec,
      EgressMeter linkMeter,
      ConnectionRecord linkRecord,
      io.netty.handler.ssl.SslContext serverTls,
      FlushTimer.Scheduler scheduler) {
    this.settings = settings;
    this.lc = lc;
    this.init = init;
    this.codec = codec;
    this.linkMeter = linkMeter;
    this.linkRecord = linkRecord;
    this.stats = lc.meter().stats().edge();
    this.handshake =
        new Handshake(
            List.of(MuxFormat.VERSION), List.of(EdgeLink.CODEC_STREAM), settings.model().id());
    this.scheduler = scheduler;
    this.serverTls = serverTls;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    FlushTimer.Scheduler s =
        scheduler != null
            ? scheduler
            : (task, delay) -> {
              var f = ctx.executor().schedule(task, delay, TimeUnit.NANOSECONDS);
              return () -> f.cancel(false);
            };
    writer =
        new FrameWriter(
            ctx,
            new LinkEncoder(settings.model()),
            codec.encoder(),
            linkMeter,
            new Payer(lc.meter(), linkRecord),
            stats,
            this,
            lc.clock());
    writer.timer(new FlushTimer(settings.flushWindow().toNanos(), lc.clock(), s, this::send));
    streams =
        new GatewayStreams(
            ctx, lc, settings, init, writer, this::send, this::sendSoon, this::guarded);
    keepAlive = new KeepAlive(ctx, lc.clock());
  }

  /** The link's frame writer (tests). */
  FrameWriter writer() {
    return writer;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    stats.linksOpen.increment();
    ctx.channel().config().setAutoRead(true); // streams are flow-controlled, the link reads on
    keepAlive();
    ctx.fireChannelActive();
  }

  // ---- from the edge ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof MuxFrameDecoder.Received r) {
        keepAlive.heard();
        read(r);
      } else {
        ReferenceCountUtil.release(msg);
      }
    } catch (LinkFormatException e) {
      protocol(e.getMessage());
    } catch (RuntimeException e) {
      internal(e);
    }
  }

  private void read(MuxFrameDecoder.Received r) throws LinkFormatException {
    Object m = r.message();
    if (state == State.ENDED || state == State.REFUSED) {
      return;
    }
    if (m instanceof Hello hello) {
      hello(hello);
      return;
    }
    if (m instanceof LinkError e) {
      edgeError(e.code().name(), e.reason());
      return;
    }
    MuxMessage mm = (MuxMessage) m;
    if (mm instanceof MuxMessage.Error e) {
      edgeError(e.code().name(), e.reason());
    } else if (mm instanceof Open o) {
      if (state == State.OPEN) {
        streams.open(o, goneAway);
      }
    } else if (mm instanceof Data d) {
      streams.data(d, r);
    } else if (mm instanceof End e) {
      streams.end(e, r);
    } else if (mm instanceof Reset x) {
      streams.reset(x);
    } else if (mm instanceof Window w) {
      streams.window(w, r);
    } else if (mm instanceof Ping p) {
      writer.control(new Pong(p.value()));
      sendSoon();
    } else if (mm instanceof GoAway) {
      peerGoneAway = true;
      goAway();
    }
    // PONG: the read itself was the sign of life.
  }

  private void hello(Hello hello) {
    LinkMessage answer = handshake.answer(hello);
    SslHandler tls = ctx.pipeline().get(SslHandler.class);
    if (tls != null && serverTls != null) {
      writer.tls(TlsRecords.of(serverTls, tls));
    }
    if (answer instanceof Refuse refuse) {
      state = State.REFUSED;
      String reason = "refused_" + refuse.code().name().toLowerCase(Locale.ROOT);
      count(reason);
      log.warn("edge link from {} refused: {}", linkRecord.client, refuse.reason());
      writer.control(refuse);
      send();
      return;
    }
    LinkMessage.Accept a = (LinkMessage.Accept) answer;
    writer.control(
        MuxAccept.of(
            a.codec(),
            settings.model().id(),
            codec.encoder().checksums(),
            settings.upWindow(),
            (int) settings.ping().toMillis()));
    state = State.OPEN;
    send();
  }

  // ---- FrameWriter.Link ----

  @Override
  public Collection<MuxStream> streams() {
    return streams.all();
  }

  @Override
  public MuxStream stream(int id) {
    return streams.get(id);
  }

  @Override
  public void forget(MuxStream s) {
    streams.forget(s);
  }

  @Override
  public void controlRefused(Refusal r) {
    log.warn(
        "edge link from {}: the control allowance cannot pay: {}",
        linkRecord.client,
        LogValue.of(r.detail()));
    count("denied");
    end();
    ctx.close();
  }

  @Override
  public void afterSend() {
    if (state == State.REFUSED && !codec.encoder().started()) {
      return; // the REFUSE waits for the control allowance
    }
    boolean finished = state == State.REFUSED || goneAway && streams.all().isEmpty();
    if (finished && state != State.ENDED && codec.encoder().started()) {
      if (state != State.REFUSED && !codec.encoder().goneAway()) {
        return;
      }
      state = State.ENDED;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  // ---- lifecycle ----

  private void send() {
    guarded(writer::send);
  }

  private void sendSoon() {
    if (!sendSoon) {
      sendSoon = true;
      ctx.executor()
          .execute(
              () -> {
                sendSoon = false;
                send();
              });
    }
  }

  private void guarded(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      internal(e);
    }
  }

  private void goAway() {
    if (!goneAway && state == State.OPEN) {
      goneAway = true;
      writer.control(new GoAway((int) Math.max(0, streams.maxOpened())));
      for (MuxStream s : new ArrayList<>(streams.all())) {
        s.child.pipeline().fireUserEventTriggered(Drain.INSTANCE);
      }
      send();
    } else if (state != State.OPEN) {
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == Drain.INSTANCE) {
      goAway();
      return;
    }
    if (evt instanceof LinkFailure f) {
      if (state != State.ENDED) {
        count(f.cause() instanceof LinkFormatException ? "protocol" : "internal");
        log.warn(
            "edge link from {} failed: {}", linkRecord.client, LogValue.of(f.cause().getMessage()));
      }
      end();
      return; // the codec sends ERROR and closes
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      send();
    } else {
      for (MuxStream s : streams.all()) {
        writer.writability(s);
      }
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    end();
    stats.linksOpen.decrement();
    if (linkMeter.prepaidLeft() != 0) {
      log.warn(
          "edge link from {}: {} bytes were paid for and never written (counted as spent)",
          linkRecord.client,
          linkMeter.prepaidLeft());
      stats.overcharged.add(linkMeter.prepaidLeft());
    }
    log.debug(
        "edge link from {} closed: {} bytes written, {} of them beyond what frames paid for",
        linkRecord.client,
        linkRecord.bytesOut(),
        linkMeter.unforeseen());
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.fireExceptionCaught(cause); // the codec turns it into ERROR INTERNAL and a close
  }

  /** The link is over: every stream still open is aborted. */
  private void end() {
    boolean failed = state != State.ENDED && state != State.REFUSED || !streams.all().isEmpty();
    state = State.ENDED;
    for (MuxStream s : new ArrayList<>(streams.all())) {
      if (failed && !s.downEnded) {
        s.record.outcome(ConnectionRecord.Decision.ERROR, Reason.EDGE_LINK_FAILED);
      }
      s.downEnded = true;
      s.upEnded = true;
      s.child.abort();
      forget(s);
    }
  }

  private void edgeError(String code, String reason) {
    count("edge_error");
    log.warn(
        "edge link from {} closed by the edge: ERROR {}: {}",
        linkRecord.client,
        LogValue.of(code),
        LogValue.of(reason));
    end();
    ctx.close();
  }

  private void protocol(String why) {
    if (state == State.ENDED) {
      return;
    }
    count("protocol");
    log.warn("edge link from {} rejected: {}", linkRecord.client, LogValue.of(why));
    end();
    codec.sendErrorAndClose(ctx, ErrorCode.PROTOCOL, why);
  }

  private void internal(Throwable e) {
    if (state == State.ENDED) {
      return;
    }
    count("internal");
    log.error("edge link from {}: internal failure", linkRecord.client, e);
    end();
    codec.sendErrorAndClose(ctx, ErrorCode.INTERNAL, "internal failure of the gateway");
  }

  private void count(String reason) {
    if (!failureCounted) {
      failureCounted = true;
      stats.failed(reason);
    }
  }

  private void keepAlive() {
    keepAlive.start(
        settings.ping().toNanos(),
        () -> state != State.ENDED,
        new KeepAlive.Peer() {
          @Override
          public void ping(long value) {
            if (state == State.OPEN) {
              writer.control(new Ping(value));
              send();
            }
          }

          @Override
          public void timedOut(long silentMillis) {
            count("timeout");
            log.warn("edge link from {}: silent for {} ms", linkRecord.client, silentMillis);
            end();
            codec.sendErrorAndClose(ctx, ErrorCode.TIMEOUT, "no frame for " + silentMillis + " ms");
          }
        });
  }
}
