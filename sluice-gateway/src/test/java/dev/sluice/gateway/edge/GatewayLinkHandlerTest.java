package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.BudgetTrees;
import dev.sluice.codec.CodecFormatException;
import dev.sluice.codec.CodecModel;
import dev.sluice.codec.StreamDecoder;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigResult;
import dev.sluice.config.EscrowConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.escrow.Escrow;
import dev.sluice.escrow.EscrowAccount;
import dev.sluice.gateway.GatewayStats;
import dev.sluice.gateway.edge.LinkMessage.Accept;
import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import dev.sluice.gateway.edge.LinkMessage.RefuseCode;
import dev.sluice.gateway.evidence.ConnectionRecord;
import dev.sluice.gateway.forward.NoLeaks;
import dev.sluice.gateway.meter.ControlReserve;
import dev.sluice.gateway.meter.EgressMeter;
import dev.sluice.gateway.meter.MeterSettings;
import dev.sluice.halt.HaltState;
import dev.sluice.ledger.LedgerOptions;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.LocalBudgetStore;
import dev.sluice.time.Clock;
import dev.sluice.time.WindowCalendar;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's end of an edge link on an {@link EmbeddedChannel}: [meter, frame codec, link
 * handler, a recorder standing for the HTTP layer]. The test plays the edge with its own frame
 * encoder and decoder and a {@link StreamDecoder}.
 */
@ExtendWith(NoLeaks.class)
class GatewayLinkHandlerTest {

  private static final String TENANT = "tenant:api/acme";

  @TempDir Path dir;

  private LocalBudgetStore store;
  private Escrow escrow;
  private BudgetTree tree;
  private MeterSettings settings;
  private GatewayStats stats;
  private HaltState halts;
  private final CodecModel model = CodecModel.builtIn();

  /** What the HTTP layer would see: the bytes read. */
  private static final class Upper extends ChannelInboundHandlerAdapter {
    final ByteArrayOutputStream read = new ByteArrayOutputStream();
    ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      byte[] bytes = new byte[b.readableBytes()];
      b.readBytes(bytes);
      b.release();
      read.writeBytes(bytes);
    }
  }

  /** The edge: writes its stream, reads the gateway's. */
  private final class Edge {
    final LinkFrameEncoder out = new LinkFrameEncoder(LinkSide.EDGE);
    final LinkFrameDecoder in = new LinkFrameDecoder(LinkSide.GATEWAY);
    final StreamDecoder codec = new StreamDecoder(model);
    final List<LinkMessage> got = new ArrayList<>();
    long linkBytes;

    void send(EmbeddedChannel ch, LinkMessage m) {
      ByteBuf b = Unpooled.buffer();
      out.encode(m, b);
      ch.writeInbound(b);
    }

    /** Reads what the gateway wrote so far. */
    List<LinkMessage> receive(EmbeddedChannel ch) throws LinkFormatException {
      ByteBuf acc = Unpooled.buffer();
      try {
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
          linkBytes += b.readableBytes();
          acc.writeBytes(b);
          b.release();
        }
        List<LinkMessage> now = new ArrayList<>();
        in.decode(acc, now);
        got.addAll(now);
        return now;
      } finally {
        acc.release();
      }
    }

    byte[] decodeData(List<LinkMessage> ms) throws CodecFormatException {
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      for (LinkMessage m : ms) {
        if (m instanceof Data d) {
          o.writeBytes(codec.decode(d.bytes(), 0, d.bytes().length));
        }
      }
      return o.toByteArray();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    String yaml =
        """
        site: test
        model: { name: m, weight_bytes: 10GB }
        data_dir: %s
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 64KiB
          zones:
            api:
              tenants:
                acme: {}
        listeners:
          - { name: edge, mode: reverse, bind: 127.0.0.1:0, upstream: http://127.0.0.1:1, zone: api, peer: edge }
        admin: { bind: 127.0.0.1:0 }
        """
            .formatted(dir);
    ConfigResult r = ConfigLoader.parse("t.yaml", yaml);
    assertThat(r.errors()).isEmpty();
    SluiceConfig config = r.config();
    Clock clock = Clock.system();
    tree = BudgetTrees.of(config.budgets());
    EscrowConfig ec = config.escrow();
    store =
        LocalBudgetStore.open(
            tree,
            config.timeZone(),
            LedgerOptions.builder(dir, config.ledger().origin()).build(),
            new ChunkPolicy(ec.minChunkBytes(), ec.maxChunkBytes()),
            ec.grantTtl(),
            clock);
    escrow = new Escrow(store, clock, ec.lowWaterPercent(), ec.grantTtl());
    stats = new GatewayStats(List.of("edge"));
    halts = new HaltState(tree.zones());
    EscrowAccount control = escrow.account(tree.controlPath());
    control.refill(1 << 16).join();
    settings =
        new MeterSettings(
            clock,
            halts.site(),
            halts.zone("api"),
            () -> true,
            false,
            stats,
            stats.listener("edge"),
            control,
            new ControlReserve(1 << 16, new WindowCalendar(config.timeZone())));
  }

  @AfterEach
  void tearDown() {
    escrow.close();
    store.close();
  }

  private EscrowAccount acme() {
    return escrow.account(tree.path("api", "acme", null));
  }

  private ConnectionRecord record() {
    return new ConnectionRecord("edge", "api", "127.0.0.1:1", 0, 0);
  }

  private record Link(EmbeddedChannel ch, Upper upper, EgressMeter meter, LinkFrameCodec codec) {}

  private Link link(EscrowAccount account) {
    ConnectionRecord rec = record();
    EgressMeter meter = new EgressMeter(settings, rec, account);
    Upper upper = new Upper();
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast("meter", meter);
    EdgeLinks.addGatewaySide(ch.pipeline(), model, meter, rec, stats.edge());
    ch.pipeline().addLast("upper", upper);
    LinkFrameCodec codec = (LinkFrameCodec) ch.pipeline().get(EdgeLinks.CODEC);
    return new Link(ch, upper, meter, codec);
  }

  private Link funded() {
    EscrowAccount a = acme();
    a.refill(1 << 22).join();
    return link(a);
  }

  private Hello hello(CodecModel m) {
    return hello(m.id());
  }

  private Hello hello(byte[] modelId) {
    return new Hello(List.of(1), List.of(0, 1), modelId, "203.0.113.9:4711");
  }

  /** The gateway's model id with its last byte changed: another model. */
  private byte[] anotherModel() {
    byte[] id = model.id();
    id[id.length - 1] ^= 1;
    return id;
  }

  @Test
  void acceptsWithCodecOneAndCarriesTheEdgesBytesUp() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), hello(model));
    edge.send(l.ch(), new Data("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)));
    List<LinkMessage> got = edge.receive(l.ch());
    assertThat(got).hasSize(1);
    Accept a = (Accept) got.get(0);
    assertThat(a.version()).isEqualTo(1);
    assertThat(a.codec()).isEqualTo(GatewayLinkHandler.CODEC_STREAM);
    assertThat(a.modelPrefix()).isEqualTo(java.util.Arrays.copyOf(model.id(), 8));
    assertThat(l.upper().read.toString(StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n");
    assertThat(l.ch().isActive()).isTrue();
    l.ch().finishAndReleaseAll();
  }

  @Test
  void refusesAModelMismatchAndDropsWhatFollows() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    // HELLO and DATA in one read: the edge may send DATA before the answer.
    ByteBuf both = Unpooled.buffer();
    edge.out.encode(hello(anotherModel()), both);
    edge.out.encode(new Data("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)), both);
    l.ch().writeInbound(both);
    List<LinkMessage> got = edge.receive(l.ch());
    assertThat(got).hasSize(1);
    Refuse r = (Refuse) got.get(0);
    assertThat(r.code()).isEqualTo(RefuseCode.MODEL);
    assertThat(r.reason()).contains("codec model mismatch", "load the same model file on both");
    assertThat(l.upper().read.size()).isZero();
    assertThat(l.ch().isActive()).isFalse();
    assertThat(stats.edge().failures()).containsOnlyKeys("refused_model");
    l.ch().finishAndReleaseAll();
  }

  @Test
  void refusesAnEdgeWithoutCodecOne() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), new Hello(List.of(1), List.of(0), model.id(), ""));
    assertThat(((Refuse) edge.receive(l.ch()).get(0)).code()).isEqualTo(RefuseCode.CODEC);
    assertThat(stats.edge().failures()).containsOnlyKeys("refused_codec");
    l.ch().finishAndReleaseAll();
  }

  @Test
  void responsesRoundTripThroughTheCodecOneSegmentPerFlush() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), hello(model));
    edge.receive(l.ch());
    Random rnd = new Random(7);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    for (int flush = 0; flush < 5; flush++) {
      for (int w = 0; w < 3; w++) {
        byte[] b = new byte[rnd.nextInt(3000)];
        rnd.nextBytes(b);
        sent.writeBytes(b);
        l.ch().write(Unpooled.wrappedBuffer(b));
      }
      l.ch().flush();
    }
    List<LinkMessage> got = edge.receive(l.ch());
    assertThat(got).hasSize(5).allMatch(m -> m instanceof Data);
    assertThat(edge.decodeData(got)).isEqualTo(sent.toByteArray());
    l.ch().finishAndReleaseAll();
  }

  @Test
  void aWriteLargerThanASegmentBecomesSeveralFrames() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), hello(model));
    edge.receive(l.ch());
    byte[] big = new byte[1_300_000];
    new Random(3).nextBytes(big);
    ChannelFuture f = l.ch().writeAndFlush(Unpooled.wrappedBuffer(big));
    assertThat(f.isSuccess()).isTrue();
    List<LinkMessage> got = edge.receive(l.ch());
    assertThat(got).hasSize(3);
    assertThat(edge.decodeData(got)).isEqualTo(big);
    l.ch().finishAndReleaseAll();
  }

  @Test
  void writesCompleteOnlyWhenTheFrameCarryingThemIsWritten() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), hello(model));
    edge.receive(l.ch());
    ChannelFuture first = l.ch().write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
    ChannelFuture second = l.ch().write(Unpooled.wrappedBuffer(new byte[] {4}));
    assertThat(first.isDone()).isFalse();
    assertThat(second.isDone()).isFalse();
    assertThat(edge.receive(l.ch())).isEmpty();
    l.ch().flush();
    assertThat(first.isSuccess()).isTrue();
    assertThat(second.isSuccess()).isTrue();
    assertThat(edge.decodeData(edge.receive(l.ch()))).containsExactly(1, 2, 3, 4);
    l.ch().finishAndReleaseAll();
  }

  @Test
  void closeEndsTheStreamWithCountsAndTheTenantIsChargedEveryLinkByte() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), hello(model));
    byte[] body = "data: {\"x\":1}\n\n".repeat(100).getBytes(StandardCharsets.US_ASCII);
    l.ch().writeAndFlush(Unpooled.wrappedBuffer(body));
    l.ch().close();
    List<LinkMessage> got = edge.receive(l.ch());
    assertThat(got.get(got.size() - 1)).isInstanceOf(End.class);
    End end = (End) got.get(got.size() - 1);
    assertThat(end.decodedBytes()).isEqualTo(body.length);
    assertThat(edge.in.ended()).isTrue();
    assertThat(edge.decodeData(got)).isEqualTo(body);
    // Everything the gateway wrote on the link was charged to acme and counted as its wire bytes.
    assertThat(l.codec().bytesWritten()).isEqualTo(edge.linkBytes);
    assertThat(stats.edge().tenant(TENANT).wire.sum()).isEqualTo(edge.linkBytes);
    assertThat(stats.edge().tenant(TENANT).raw.sum()).isEqualTo(body.length);
    assertThat(stats.listener("edge").bytesOut.sum()).isEqualTo(edge.linkBytes);
    assertThat(stats.edge().failures()).isEmpty();
    l.ch().finishAndReleaseAll();
  }

  @Test
  void theEdgesEndClosesTheLinkAfterTheLastSegment() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), hello(model));
    l.ch().write(Unpooled.wrappedBuffer(new byte[] {9, 9}));
    edge.send(l.ch(), new End(End.UNCOUNTED, 0));
    assertThat(l.ch().isActive()).isFalse();
    List<LinkMessage> got = edge.receive(l.ch());
    assertThat(edge.decodeData(got)).containsExactly(9, 9);
    assertThat(got.get(got.size() - 1)).isInstanceOf(End.class);
    l.ch().finishAndReleaseAll();
  }

  @Test
  void garbageFromTheEdgeIsAnErrorAndACloseAndNothingGoesUp() throws Exception {
    Link l = funded();
    l.ch().writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII));
    assertThat(l.upper().read.size()).isZero();
    assertThat(l.ch().isActive()).isFalse();
    List<LinkMessage> got = new Edge().receive(l.ch());
    assertThat(got).hasSize(1);
    LinkError e = (LinkError) got.get(0);
    assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL);
    assertThat(e.reason()).contains("byte 0");
    assertThat(stats.edge().failures()).containsOnlyKeys("protocol");
    l.ch().finishAndReleaseAll();
  }

  @Test
  void aCorruptFrameAfterTheHandshakeFailsTheLinkWithoutThrowing() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), hello(model));
    ByteBuf bad = Unpooled.buffer();
    edge.out.encode(new Data(new byte[] {1, 2, 3}), bad);
    bad.setByte(bad.writerIndex() - 1, bad.getByte(bad.writerIndex() - 1) ^ 1);
    l.ch().writeInbound(bad);
    assertThat(l.upper().read.size()).isZero();
    assertThat(l.ch().isActive()).isFalse();
    List<LinkMessage> got = edge.receive(l.ch());
    assertThat(got.get(0)).isInstanceOf(Accept.class);
    assertThat(((LinkError) got.get(got.size() - 1)).reason()).contains("CRC mismatch");
    l.ch().checkException();
    l.ch().finishAndReleaseAll();
  }

  @Test
  void writesBeforeTheHandshakeOrOfOtherTypesFailTheirPromiseOnly() {
    Link l = funded();
    ChannelFuture early = l.ch().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
    assertThat(early.isSuccess()).isFalse();
    ChannelFuture odd = l.ch().writeAndFlush("not bytes");
    assertThat(odd.isSuccess()).isFalse();
    l.ch().checkException();
    l.ch().finishAndReleaseAll();
  }

  @Test
  void aRefusedFrameCutsTheLinkWithoutAnotherFrame() throws Exception {
    Link l = funded();
    Edge edge = new Edge();
    edge.send(l.ch(), hello(model));
    edge.receive(l.ch());
    halts.halt("api", "test", 0); // the meter refuses the next non-control write at once
    ChannelFuture f = l.ch().writeAndFlush(Unpooled.wrappedBuffer(new byte[100]));
    assertThat(f.isSuccess()).isFalse();
    // A later write (say, a denial response) cannot be carried: its frame would follow a gap.
    ChannelFuture denial = l.ch().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {4, 2, 9}));
    assertThat(denial.isSuccess()).isFalse();
    l.ch().close();
    assertThat(l.ch().isActive()).isFalse();
    assertThat(edge.receive(l.ch())).isEmpty();
    assertThat(stats.edge().failures()).containsOnlyKeys("denied");
    l.ch().checkException();
    l.ch().finishAndReleaseAll();
  }
}
