package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.CodecModel;
import dev.sluice.codec.LinkEncoder;
import dev.sluice.gateway.edge.MuxMessage.Data;
import dev.sluice.gateway.edge.MuxMessage.End;
import dev.sluice.gateway.edge.MuxMessage.Frame;
import dev.sluice.gateway.edge.MuxMessage.Open;
import dev.sluice.gateway.forward.NoLeaks;
import dev.sluice.time.ManualClock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The edge's multiplexer on an embedded link, against a scripted gateway (the real encoders): it
 * says HELLO, opens a stream per client after ACCEPT, carries their bytes up within the credit,
 * restores each stream's bytes from shared frames, closes clients cleanly on END, and on anything
 * wrong (a flipped bit, a frame that does not decode, an END whose count differs, a refusal) ends
 * the link and closes every client without passing on a byte of the bad frame.
 */
@ExtendWith(NoLeaks.class)
class EdgeMuxTest {

  private static final CodecModel MODEL = CodecModel.builtIn();

  private final List<EdgeMux> ready = new ArrayList<>();
  private final List<EdgeMux> gone = new ArrayList<>();
  private final EdgeMux.Pool pool =
      new EdgeMux.Pool() {
        @Override
        public void ready(EdgeMux mux) {
          ready.add(mux);
        }

        @Override
        public void gone(EdgeMux mux) {
          gone.add(mux);
        }
      };
  private final MuxFrameEncoder gateway = new MuxFrameEncoder(LinkSide.GATEWAY);
  private final LinkEncoder codec = new LinkEncoder(MODEL);
  private final MuxFrameDecoder fromEdge = new MuxFrameDecoder(LinkSide.EDGE, true);
  private final List<MuxMessage> up = new ArrayList<>();
  private EmbeddedChannel link;
  private EdgeMux mux;
  private final List<EmbeddedChannel> clients = new ArrayList<>();

  @org.junit.jupiter.api.AfterEach
  void release() {
    readUp();
    for (EmbeddedChannel c : clients) {
      out(c);
      c.finishAndReleaseAll();
    }
    if (link != null) {
      link.finishAndReleaseAll();
    }
  }

  private void start() {
    mux = new EdgeMux(MODEL, false, pool, ManualClock.at("2026-03-02T10:00:00Z"));
    link = new EmbeddedChannel(new MuxFrameCodec(LinkSide.EDGE, true), mux);
    readUp();
    ByteBuf b = Unpooled.buffer();
    gateway.handshake(MuxAccept.of(1, MODEL.id(), true, 100, 0), b);
    gateway.checksums(true);
    link.writeInbound(b);
    assertThat(ready).containsExactly(mux);
  }

  private void toEdge(MuxMessage m) {
    ByteBuf b = Unpooled.buffer();
    gateway.encode(m, b);
    link.writeInbound(b);
    readUp();
  }

  private void readUp() {
    if (link == null) {
      return;
    }
    ByteBuf b;
    List<Object> out = new ArrayList<>();
    while ((b = link.readOutbound()) != null) {
      try {
        fromEdge.decode(b, out);
      } catch (LinkFormatException e) {
        throw new AssertionError(e);
      } finally {
        b.release();
      }
    }
    for (Object o : out) {
      if (((MuxFrameDecoder.Received) o).message() instanceof MuxMessage m) {
        up.add(m);
      }
    }
  }

  private EmbeddedChannel client(int id, String request) {
    EmbeddedChannel c = new EmbeddedChannel();
    clients.add(c);
    assertThat(mux.attach(c)).isTrue();
    codec.open(id);
    c.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
    readUp();
    return c;
  }

  private static String out(EmbeddedChannel c) {
    StringBuilder s = new StringBuilder();
    ByteBuf b;
    while ((b = c.readOutbound()) != null) {
      s.append(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return s.toString();
  }

  /** A FRAME with {@code text[i]} for stream {@code i}, coded by the real link encoder. */
  private Frame frame(String... text) {
    for (int i = 0; i < text.length; i++) {
      if (text[i] != null) {
        byte[] b = text[i].getBytes(StandardCharsets.UTF_8);
        codec.write(i, b, 0, b.length);
      }
    }
    LinkEncoder.Frame f = codec.frame();
    for (int i = 0; i < text.length; i++) {
      if (text[i] != null) {
        f.add(i, Long.MAX_VALUE);
      }
    }
    return new Frame(f.commit());
  }

  @Test
  void carriesClientsAsStreamsAndRestoresSharedFrames() {
    start();
    EmbeddedChannel a = client(0, "GET /a HTTP/1.1\r\n\r\n");
    EmbeddedChannel b = client(1, "GET /b HTTP/1.1\r\n\r\n");
    assertThat(up.get(0)).isInstanceOf(Open.class);
    assertThat(up)
        .anySatisfy(
            m ->
                assertThat(
                        m.sameAs(
                            new Data(
                                1, "GET /b HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII))))
                    .isTrue());
    toEdge(frame("HTTP/1.1 200 OK\r\n\r\nalpha", "HTTP/1.1 200 OK\r\n\r\nbeta"));
    assertThat(out(a)).isEqualTo("HTTP/1.1 200 OK\r\n\r\nalpha");
    assertThat(out(b)).isEqualTo("HTTP/1.1 200 OK\r\n\r\nbeta");
    toEdge(new End(0, codec.close(0)));
    assertThat(a.isActive()).isFalse();
    assertThat(up).anySatisfy(m -> assertThat(m).isInstanceOf(End.class));
    assertThat(b.isActive()).isTrue();
  }

  @Test
  void clientBytesGoUpOnlyWithinTheCredit() {
    start();
    EmbeddedChannel a = client(0, "x".repeat(150));
    long sent =
        up.stream().filter(m -> m instanceof Data).mapToLong(m -> ((Data) m).bytes().length).sum();
    assertThat(sent).isEqualTo(100); // ACCEPT's window
    toEdge(new MuxMessage.Window(0, 50));
    sent =
        up.stream().filter(m -> m instanceof Data).mapToLong(m -> ((Data) m).bytes().length).sum();
    assertThat(sent).isEqualTo(150);
    assertThat(a.isActive()).isTrue();
  }

  @Test
  void aFlippedBitResetsEveryClientAndPassesNothingOfTheFrame() {
    start();
    EmbeddedChannel a = client(0, "GET / HTTP/1.1\r\n\r\n");
    EmbeddedChannel b = client(1, "GET / HTTP/1.1\r\n\r\n");
    ByteBuf bad = Unpooled.buffer();
    gateway.encode(frame("secret", "other"), bad);
    bad.setByte(3, bad.getByte(3) ^ 0x10);
    link.writeInbound(bad);
    readUp();
    assertThat(out(a)).isEmpty();
    assertThat(out(b)).isEmpty();
    assertThat(a.isActive()).isFalse();
    assertThat(b.isActive()).isFalse();
    assertThat(up.get(up.size() - 1)).isInstanceOf(MuxMessage.Error.class);
    assertThat(((MuxMessage.Error) up.get(up.size() - 1)).reason())
        .contains("CRC mismatch", "byte ");
    assertThat(gone).containsExactly(mux);
  }

  @Test
  void aFrameThatDoesNotDecodeIsACodecErrorNamingTheOffset() {
    start();
    EmbeddedChannel a = client(0, "GET / HTTP/1.1\r\n\r\n");
    toEdge(new Frame(new byte[] {1, 0, 2, 5, 1, 2, 3}));
    assertThat(a.isActive()).isFalse();
    MuxMessage.Error e = (MuxMessage.Error) up.get(up.size() - 1);
    assertThat(e.code()).isEqualTo(LinkMessage.ErrorCode.CODEC);
    assertThat(e.reason()).contains("FRAME at byte ");
  }

  @Test
  void anEndWhoseCountDiffersResetsTheClients() {
    start();
    EmbeddedChannel a = client(0, "GET / HTTP/1.1\r\n\r\n");
    toEdge(frame("HTTP/1.1 200 OK\r\n\r\nhi"));
    assertThat(out(a)).isEqualTo("HTTP/1.1 200 OK\r\n\r\nhi");
    toEdge(new End(0, codec.close(0) + 1));
    assertThat(a.isActive()).isFalse();
    MuxMessage.Error e = (MuxMessage.Error) up.get(up.size() - 1);
    assertThat(e.reason()).contains("END of stream 0 says");
  }

  @Test
  void aGatewayOfVersionOneRefusesAndNoClientIsCarried() {
    mux = new EdgeMux(MODEL, false, pool, ManualClock.at("2026-03-02T10:00:00Z"));
    link = new EmbeddedChannel(new MuxFrameCodec(LinkSide.EDGE, true), mux);
    LinkFrameEncoder v1 = new LinkFrameEncoder(LinkSide.GATEWAY);
    ByteBuf b = Unpooled.buffer();
    v1.encode(
        new LinkMessage.Refuse(
            LinkMessage.RefuseCode.VERSION,
            "no common protocol version: the edge speaks [2], the gateway [1]"),
        b);
    link.writeInbound(b);
    assertThat(ready).isEmpty();
    assertThat(gone).containsExactly(mux);
    EmbeddedChannel c = new EmbeddedChannel();
    clients.add(c);
    assertThat(mux.attach(c)).isFalse();
  }

  @Test
  void aPlainLinkRefusesAnAcceptWithoutChecksums() {
    mux = new EdgeMux(MODEL, false, pool, ManualClock.at("2026-03-02T10:00:00Z"));
    link = new EmbeddedChannel(new MuxFrameCodec(LinkSide.EDGE, true), mux);
    readUp();
    ByteBuf b = Unpooled.buffer();
    gateway.handshake(MuxAccept.of(1, MODEL.id(), false, 100, 0), b);
    link.writeInbound(b);
    assertThat(ready).isEmpty();
    assertThat(link.isActive()).isFalse();
  }
}
