package dev.sluice.gateway.edge;

import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.edge.MuxMessage.Data;
import dev.sluice.gateway.edge.MuxMessage.End;
import dev.sluice.gateway.edge.MuxMessage.Open;
import dev.sluice.gateway.edge.MuxMessage.Reset;
import dev.sluice.gateway.edge.MuxMessage.ResetCode;
import dev.sluice.gateway.edge.MuxMessage.Window;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.stats.EdgeStats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The streams of one gateway link ({@link GatewayMux}): each OPEN becomes a {@link StreamChannel}
 * with its {@link StreamMeter}, its own connection record and the listener's pipeline ({@link
 * StreamInit}); DATA is delivered to it within the upward window, and more is granted as its
 * pipeline reads; END and RESET end its upward half; its writes, flushes and close go to the link's
 * {@link FrameWriter}. A message for a stream never opened, DATA after END or beyond the window, an
 * END whose count differs from the DATA received, or a window above 2^31-1 is a {@link
 * LinkFormatException} naming the frame's offset, which ends the link. Used on the link's event
 * loop.
 */
final class GatewayStreams implements StreamChannel.Output {

  private final ChannelHandlerContext ctx;
  private final ListenerContext lc;
  private final LinkSettings settings;
  private final StreamInit init;
  private final FrameWriter writer;
  private final EdgeStats stats;
  private final Runnable send;
  private final Runnable sendSoon;
  private final Consumer<Runnable> guarded;
  private final Map<Integer, MuxStream> streams = new LinkedHashMap<>();
  private long maxOpened = -1;

  GatewayStreams(
      ChannelHandlerContext ctx,
      ListenerContext lc,
      LinkSettings settings,
      StreamInit init,
      FrameWriter writer,
      Runnable send,
      Runnable sendSoon,
      Consumer<Runnable> guarded) {
    this.ctx = ctx;
    this.lc = lc;
    this.settings = settings;
    this.init = init;
    this.writer = writer;
    this.stats = lc.meter().stats().edge();
    this.send = send;
    this.sendSoon = sendSoon;
    this.guarded = guarded;
  }

  /** The edge opened stream {@code o}: its channel and pipeline, or RESET while draining. */
  void open(Open o, boolean goneAway) {
    maxOpened = o.id();
    if (goneAway) {
      writer.control(new Reset(o.id(), ResetCode.REFUSED, "the gateway is draining"));
      sendSoon.run();
      return;
    }
    ConnectionRecord record =
        new ConnectionRecord(
            lc.name(),
            lc.zone(),
            o.client().isEmpty() ? "-" : o.client(),
            lc.clock().millis(),
            lc.clock().nanos());
    String fallback = lc.tenantOrDefault(null);
    EscrowAccount first = fallback == null ? lc.meter().control() : lc.account(fallback);
    StreamMeter meter = new StreamMeter(lc.meter(), record, first);
    StreamChannel child =
        new StreamChannel(ctx.channel(), o.id(), this, ctx.channel().remoteAddress());
    MuxStream s = new MuxStream(o.id(), child, meter, o.window(), settings.upWindow());
    writer.codec().open(o.id());
    streams.put(o.id(), s);
    stats.streamsOpen.increment();
    child.pipeline().addLast("meter", meter);
    init.init(child, meter, record);
    child.register();
  }

  private MuxStream known(MuxMessage m, MuxFrameDecoder.Received r) throws LinkFormatException {
    MuxStream s = streams.get(m.stream());
    if (s == null && m.stream() > maxOpened) {
      throw new LinkFormatException(
          LinkSide.EDGE,
          r.offset(),
          r.offset(),
          -1,
          m.type() + " of stream " + m.stream() + ", never opened");
    }
    return s;
  }

  void data(Data d, MuxFrameDecoder.Received r) throws LinkFormatException {
    MuxStream s = known(d, r);
    if (s == null || s.reset != null && s.upEnded) {
      return; // a stream closed meanwhile
    }
    if (s.upEnded) {
      throw at(r, "DATA of stream " + d.id() + " after its END");
    }
    int n = d.bytes().length;
    s.upAllowed -= n;
    if (s.upAllowed < 0) {
      throw at(r, "stream " + d.id() + " sent " + (-s.upAllowed) + " bytes beyond its window");
    }
    s.upBytes += n;
    s.lastReceived = lc.clock().nanos();
    s.child.deliver(Unpooled.wrappedBuffer(d.bytes()));
  }

  void end(End e, MuxFrameDecoder.Received r) throws LinkFormatException {
    MuxStream s = known(e, r);
    if (s == null || s.upEnded) {
      return;
    }
    if (e.bytes() != s.upBytes) {
      throw at(
          r, "END of stream " + e.id() + " says " + e.bytes() + " bytes, it carried " + s.upBytes);
    }
    s.upEnded = true;
    s.child.inputEnded();
    if (s.done()) {
      forget(s);
    }
  }

  void reset(Reset x) {
    MuxStream s = streams.get(x.id());
    if (s == null) {
      return;
    }
    s.upEnded = true;
    if (s.downEnded) {
      forget(s);
      return;
    }
    if (s.reset == null) {
      s.reset = ResetCode.CANCEL; // confirms: the edge keeps decoding until it reads ours
      s.resetReason = "reset by the edge";
    }
    s.child.closeNow(); // inactive once the confirming RESET was written
    send.run();
  }

  void window(Window w, MuxFrameDecoder.Received r) throws LinkFormatException {
    MuxStream s = streams.get(w.id());
    if (s == null) {
      return;
    }
    boolean blocked = s.credit <= 0;
    s.credit += w.increment();
    if (s.credit > MuxFormat.MAX_ID) {
      throw at(r, "stream " + w.id() + " window above 2^31-1");
    }
    if (blocked) {
      send.run();
    }
  }

  private static LinkFormatException at(MuxFrameDecoder.Received r, String what) {
    return new LinkFormatException(LinkSide.EDGE, r.offset(), r.offset(), -1, what);
  }

  // ---- streams (StreamChannel.Output) ----

  @Override
  public void write(StreamChannel ch, ByteBuf buf, ChannelPromise promise) {
    MuxStream s = streams.get(ch.stream());
    if (s == null) {
      buf.release();
      promise.tryFailure(new StreamInput.RefusedException());
      return;
    }
    writer.write(s, buf, promise, s.meter.inControl());
  }

  @Override
  public void flush(StreamChannel ch) {
    MuxStream s = streams.get(ch.stream());
    if (s != null) {
      guarded.accept(() -> writer.flush(s));
    }
  }

  @Override
  public void consumed(StreamChannel ch, int n) {
    MuxStream s = streams.get(ch.stream());
    if (s == null || s.upEnded) {
      return;
    }
    s.upConsumed += n;
    if (s.upConsumed >= settings.upWindow() / 2) {
      writer.control(new Window(s.id, (int) s.upConsumed));
      s.upAllowed += s.upConsumed;
      s.upConsumed = 0;
      sendSoon.run();
    }
  }

  @Override
  public void closed(StreamChannel ch) {
    MuxStream s = streams.get(ch.stream());
    if (s == null) {
      return;
    }
    s.closeRequested = true;
    if (s.cut && s.reset == null) {
      s.reset = ResetCode.DENIED;
      s.resetReason = "egress refused after the response started";
    }
    if (!s.downEnded) {
      sendSoon.run();
    }
  }

  Collection<MuxStream> all() {
    return streams.values();
  }

  MuxStream get(int id) {
    return streams.get(id);
  }

  long maxOpened() {
    return maxOpened;
  }

  void forget(MuxStream s) {
    if (streams.remove(s.id) != null) {
      stats.streamsOpen.decrement();
    }
  }
}
