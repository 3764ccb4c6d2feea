package dev.sluice.gateway.edge;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.codec.CodecFormatException;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.LinkDecoder;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.evidence.Evidence;
import dev.sluice.gateway.listener.ListenerContext;
import dev.sluice.gateway.listener.Transport;
import dev.sluice.gateway.meter.ConnectionMeter;
import dev.sluice.gateway.meter.ControlReserve;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.MeterSettings;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.stats.GatewayStats;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.time.ManualClock;
import dev.sluice.time.WindowCalendar;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * A {@link GatewayMux} on an {@link EmbeddedChannel} with a real local budget store (a ledger in a
 * temp dir), a manual clock and scheduler, and a scripted edge: the test writes the edge's frames
 * ({@link #edge}) and reads the gateway's ({@link #drain}), decoded with a real {@link
 * LinkDecoder}. Each stream gets an {@link App}: the test writes its responses; on a refusal it
 * answers 429 (paid from control) while nothing of the response left, else closes, as the reverse
 * proxy does.
 */
final class MuxHarness implements AutoCloseable {

  final ManualClock clock = ManualClock.at("2026-03-02T10:00:00Z");
  final BudgetTree tree;
  final LocalBudgetStore store;
  final Escrow escrow;
  final ListenerContext lc;
  final GatewayStats stats;
  final EgressMeter linkMeter;
  final ConnectionRecord linkRecord;
  final EmbeddedChannel ch;
  final Map<Integer, App> apps = new HashMap<>();
  final MuxFrameEncoder edgeOut = new MuxFrameEncoder(LinkSide.EDGE);
  final MuxFrameDecoder fromGateway = new MuxFrameDecoder(LinkSide.GATEWAY, true);
  final LinkDecoder decoder = new LinkDecoder(CodecModel.builtIn());
  final Map<Integer, ByteArrayOutputStream> received = new HashMap<>();
  final List<MuxMessage> messages = new ArrayList<>();
  long bytesOut;
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final ByteBuf acc = Unpooled.buffer();

  private record Timer(long due, long seq, Runnable task, boolean[] cancelled)
      implements Comparable<Timer> {
    @Override
    public int compareTo(Timer o) {
      return due != o.due ? Long.compare(due, o.due) : Long.compare(seq, o.seq);
    }
  }

  private long seq;

  /** A stream's application: what the test writes, and what it does on a refusal. */
  final class App extends ChannelInboundHandlerAdapter implements ConnectionMeter.Listener {
    final StreamMeter meter;
    final ConnectionRecord record;
    ChannelHandlerContext ctx;
    final ByteArrayOutputStream in = new ByteArrayOutputStream();
    Refusal refusal;
    boolean inactive;

    App(StreamMeter meter, ConnectionRecord record) {
      this.meter = meter;
      this.record = record;
      meter.listener(this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      byte[] x = new byte[b.readableBytes()];
      b.readBytes(x);
      in.writeBytes(x);
      b.release();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      inactive = true;
    }

    void write(String s) {
      meter.markMessageStart();
      ctx.writeAndFlush(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    void send(String s) {
      ctx.writeAndFlush(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
    }

    @Override
    public void refused(ChannelHandlerContext meterCtx, Refusal r) {
      refusal = r;
      if (meter.chargedSinceMark() == 0) {
        meter.control(
            () ->
                ctx.writeAndFlush(
                        Unpooled.copiedBuffer(
                            "HTTP/1.1 429 Too Many\r\n\r\n", StandardCharsets.US_ASCII))
                    .addListener(f -> ctx.close()));
      } else {
        ctx.close();
      }
    }
  }

  /**
   * @param acmeCap day cap of tenant acme; tenants beta and gamma have none
   * @param flushWindow the flush window
   * @param mode enforce or report
   */
  MuxHarness(Path dir, String acmeCap, Duration flushWindow, String mode) throws Exception {
    String yaml =
        """
        site: test
        model: { name: m, weight_bytes: 10GB }
        mode: %s
        data_dir: %s
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              tenants:
                acme: { limits: [ { window: day, cap: %s } ] }
                beta: {}
                gamma: {}
        listeners:
          - { name: edge, mode: reverse, bind: "127.0.0.1:0", upstream: "http://127.0.0.1:9", zone: inference, tenant_header: X-Tenant, peer: edge }
        admin: { bind: 127.0.0.1:0 }
        escrow: { min_chunk: 1KiB, max_chunk: 4KiB }
        """
            .formatted(mode, dir, acmeCap);
    ConfigResult r = ConfigLoader.parse("test.yaml", yaml);
    if (!r.ok()) {
      throw new IllegalArgumentException(String.join("\n", ConfigLoader.formatAll(r)));
    }
    SluiceConfig config = r.config();
    tree = BudgetTrees.of(config.budgets());
    store =
        LocalBudgetStore.open(
            tree,
            config.timeZone(),
            LedgerOptions.builder(dir, config.ledger().origin()).build(),
            new ChunkPolicy(1024, 4096),
            config.escrow().grantTtl(),
            clock);
    escrow = new Escrow(store, clock, 25, config.escrow().grantTtl());
    HaltState halts = new HaltState(tree.zones());
    stats = new GatewayStats(List.of("edge"));
    MeterSettings m =
        new MeterSettings(
            clock,
            halts.site(),
            halts.zone("inference"),
            () -> true,
            "report".equals(mode),
            stats,
            stats.listener("edge"),
            escrow.account(tree.controlPath()),
            new ControlReserve(1 << 20, new WindowCalendar(config.timeZone())));
    lc =
        new ListenerContext(
            config.listeners().get(0),
            tree,
            escrow,
            m,
            new Evidence(store.ledger(), clock, stats),
            Transport.nio(),
            clock);
    linkRecord = new ConnectionRecord("edge", "inference", "edge", 0, 0);
    linkMeter = EgressMeter.forLink(m, linkRecord);
    MuxFrameCodec codec = new MuxFrameCodec(LinkSide.GATEWAY, true);
    LinkSettings settings =
        new LinkSettings(CodecModel.builtIn(), flushWindow, 64 << 10, Duration.ZERO);
    ch = new EmbeddedChannel();
    ch.pipeline()
        .addLast(
            linkMeter,
            codec,
            new GatewayMux(
                settings,
                lc,
                (stream, meter, record) -> {
                  App app = new App(meter, record);
                  apps.put(stream.stream(), app);
                  stream.pipeline().addLast(app);
                },
                codec,
                linkMeter,
                linkRecord,
                null,
                (task, delay) -> {
                  boolean[] cancelled = {false};
                  timers.add(new Timer(clock.nanos() + delay, seq++, task, cancelled));
                  return () -> cancelled[0] = true;
                }));
  }

  /** Writes frame 0 (HELLO) and waits for the ACCEPT. */
  MuxAccept handshake() {
    ByteBuf b = Unpooled.buffer();
    edgeOut.handshake(
        new Handshake(List.of(2), List.of(1), CodecModel.builtIn().id()).hello(""), b);
    ch.writeInbound(b);
    await(() -> accept != null);
    edgeOut.checksums(accept.checksums());
    return accept;
  }

  private MuxAccept accept;

  /** Writes one edge frame. */
  void edge(MuxMessage m) {
    ByteBuf b = Unpooled.buffer();
    edgeOut.encode(m, b);
    ch.writeInbound(b);
    pump();
  }

  /** Opens stream {@code id} with a downward window and points its meter at {@code tenant}. */
  App open(int id, int window, String tenant) {
    decoder.open(id);
    edge(new MuxMessage.Open(id, window, "10.0.0." + id + ":1234"));
    App a = apps.get(id);
    if (tenant != null) {
      a.meter.account(lc.account(tenant));
    }
    return a;
  }

  /** Runs tasks and reads the gateway's output until {@code done} or 10 s pass. */
  void await(BooleanSupplier done) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      pump();
      if (done.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting");
      }
      Thread.onSpinWait();
    }
  }

  /** Runs what is due on the event loop and decodes what the gateway wrote. */
  void pump() {
    ch.runPendingTasks();
    drain();
  }

  /** Advances the manual clock, running the timers that come due. */
  void advance(Duration d) {
    long until = clock.nanos() + d.toNanos();
    while (!timers.isEmpty() && timers.peek().due() <= until) {
      Timer t = timers.poll();
      clock.advance(Duration.ofNanos(Math.max(0, t.due() - clock.nanos())));
      if (!t.cancelled()[0]) {
        t.task().run();
      }
      pump();
    }
    clock.advance(Duration.ofNanos(until - clock.nanos()));
    pump();
  }

  /** FRAMEs the gateway wrote so far. */
  int frames() {
    return messagesOfType(MuxType.FRAME).size();
  }

  List<MuxMessage> messagesOfType(MuxType t) {
    List<MuxMessage> out = new ArrayList<>();
    for (MuxMessage m : messages) {
      if (t == null || m.type() == t) {
        out.add(m);
      }
    }
    return out;
  }

  String received(int id) {
    ByteArrayOutputStream b = received.get(id);
    return b == null ? "" : b.toString(StandardCharsets.UTF_8);
  }

  private void drain() {
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      bytesOut += b.readableBytes();
      acc.writeBytes(b);
      b.release();
    }
    List<Object> out = new ArrayList<>();
    try {
      fromGateway.decode(acc, out);
    } catch (LinkFormatException e) {
      throw new AssertionError(e);
    }
    acc.discardReadBytes();
    for (Object o : out) {
      Object m = ((MuxFrameDecoder.Received) o).message();
      if (m instanceof MuxAccept a) {
        accept = a;
        continue;
      }
      if (!(m instanceof MuxMessage mm)) {
        throw new AssertionError("unexpected " + m);
      }
      messages.add(mm);
      if (mm instanceof MuxMessage.Frame f) {
        try {
          decoder.decode(
              f.payload(),
              0,
              f.payload().length,
              (id, x, off, len) ->
                  received
                      .computeIfAbsent(id, k -> new ByteArrayOutputStream())
                      .write(x, off, len));
        } catch (CodecFormatException e) {
          throw new AssertionError(e);
        }
      } else if (mm instanceof MuxMessage.End e) {
        long n = decoder.close(e.id());
        if (n != e.bytes()) {
          throw new AssertionError("END " + e + " but decoded " + n);
        }
      } else if (mm instanceof MuxMessage.Reset x) {
        decoder.close(x.id());
      }
    }
  }

  /** Opens the decoder's side of stream {@code id} (as the edge does when it sends OPEN). */
  void decoderOpen(int id) {
    decoder.open(id);
  }

  /** Everything charged: every stream record's charged and control bytes, and the link's. */
  long charged() {
    long n = linkRecord.charged() + linkRecord.controlBytes();
    for (App a : apps.values()) {
      n += a.record.charged() + a.record.controlBytes();
    }
    return n;
  }

  @Override
  public void close() {
    acc.release();
    ch.finishAndReleaseAll();
    escrow.close();
    store.close();
  }
}
