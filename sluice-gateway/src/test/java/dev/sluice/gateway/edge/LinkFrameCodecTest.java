package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Ping;
import dev.sluice.gateway.edge.LinkMessage.Pong;
import dev.sluice.gateway.forward.NoLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class LinkFrameCodecTest {

  /** Records the events after the codec. */
  private static final class Events extends ChannelInboundHandlerAdapter {
    final List<Object> events = new ArrayList<>();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      events.add(evt);
    }
  }

  private static byte[] drain(EmbeddedChannel ch) {
    ByteBuf all = io.netty.buffer.Unpooled.buffer();
    try {
      ByteBuf b;
      while ((b = ch.readOutbound()) != null) {
        all.writeBytes(b);
        b.release();
      }
      byte[] out = new byte[all.readableBytes()];
      all.readBytes(out);
      return out;
    } finally {
      all.release();
    }
  }

  private static List<LinkMessage> inbound(EmbeddedChannel ch) {
    List<LinkMessage> got = new ArrayList<>();
    Object m;
    while ((m = ch.readInbound()) != null) {
      got.add((LinkMessage) m);
    }
    return got;
  }

  @Test
  void edgeAndGatewayTalkThroughTheirCodecs() {
    EmbeddedChannel edge = new EmbeddedChannel(new LinkFrameCodec(LinkSide.EDGE));
    LinkFrameCodec gatewayCodec = new LinkFrameCodec(LinkSide.GATEWAY);
    EmbeddedChannel gateway = new EmbeddedChannel(gatewayCodec);
    edge.writeOutbound(Handshake.identity().hello("203.0.113.9:443"), new Data(new byte[] {1, 2}));
    edge.writeOutbound(new Ping(42));
    byte[] up = drain(edge);
    for (byte b : up) {
      gateway.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {b}));
    }
    List<LinkMessage> got = inbound(gateway);
    assertThat(got).hasSize(2);
    assertThat(got.get(0).sameAs(Handshake.identity().hello("203.0.113.9:443"))).isTrue();
    assertThat(got.get(1).sameAs(new Data(new byte[] {1, 2}))).isTrue();
    // The PING was answered by the gateway codec (which must ACCEPT first to be allowed to).
    byte[] pongBeforeAccept = drain(gateway);
    assertThat(pongBeforeAccept).isEmpty();
    gateway.writeOutbound(Handshake.identity().answer((LinkMessage.Hello) got.get(0)));
    gateway.writeOutbound(new Data(new byte[] {9}), new End(End.UNCOUNTED, 1));
    edge.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(drain(gateway)));
    List<LinkMessage> down = inbound(edge);
    assertThat(down).hasSize(3);
    assertThat(down.get(2)).isEqualTo(new End(1, 1));
    // magic, ACCEPT (6 + 10), DATA (6 + 1), END (6 + 2: two one-byte varints)
    assertThat(gatewayCodec.bytesWritten()).isEqualTo(4 + (6 + 10) + (6 + 1) + (6 + 2));
    assertThat(edge.finish()).isFalse();
    assertThat(gateway.finish()).isFalse();
  }

  @Test
  void aPingAfterTheHandshakeIsAnswered() {
    EmbeddedChannel gateway = new EmbeddedChannel(new LinkFrameCodec(LinkSide.GATEWAY));
    gateway.writeOutbound(Handshake.identity().answer(Handshake.identity().hello("")));
    drain(gateway);
    byte[] up =
        Streams.encode(LinkSide.EDGE, List.of(Handshake.identity().hello(""), new Ping(7))).bytes();
    gateway.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(up));
    assertThat(inbound(gateway)).hasSize(1);
    LinkFrameDecoder dec = new LinkFrameDecoder(LinkSide.GATEWAY);
    byte[] pong = drain(gateway);
    List<LinkMessage> got = new ArrayList<>();
    ByteBuf b =
        io.netty.buffer.Unpooled.wrappedBuffer(
            concat(
                Streams.encode(
                        LinkSide.GATEWAY,
                        List.of(Handshake.identity().answer(Handshake.identity().hello(""))))
                    .bytes(),
                pong));
    try {
      dec.decode(b, got);
    } catch (LinkFormatException e) {
      throw new AssertionError(e);
    } finally {
      b.release();
    }
    assertThat(got.get(1)).isEqualTo(new Pong(7));
    gateway.finishAndReleaseAll();
  }

  @Test
  void aCorruptedFrameBecomesAnErrorFrameAndACloseNeverAnException() {
    Events events = new Events();
    EmbeddedChannel edge = new EmbeddedChannel(new LinkFrameCodec(LinkSide.EDGE), events);
    edge.writeOutbound(Handshake.identity().hello(""));
    drain(edge);
    Streams.Encoded down =
        Streams.encode(
            LinkSide.GATEWAY,
            List.of(
                Handshake.identity().answer(Handshake.identity().hello("")),
                new Data(new byte[] {1, 2, 3}),
                new Data(new byte[] {4, 5, 6}),
                new End(End.UNCOUNTED, 6)));
    byte[] bad = down.bytes().clone();
    long second = down.frameStarts()[2];
    bad[(int) second + 3] ^= 1; // payload of the second DATA (type, length 3, payload, CRC)
    edge.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(bad));
    List<LinkMessage> got = inbound(edge);
    assertThat(got).hasSize(2); // ACCEPT and the first DATA only
    assertThat(events.events).hasSize(1);
    LinkFormatException e = (LinkFormatException) ((LinkFailure) events.events.get(0)).cause();
    assertThat(e.offset()).isEqualTo(second + 2 + 3);
    assertThat(e.problem()).startsWith("CRC mismatch (a corrupted, missing or reordered frame)");
    assertThat(edge.isOpen()).isFalse();
    // What the edge sent before closing: an ERROR frame, frame 1 of its stream.
    byte[] out = drain(edge);
    List<LinkMessage> sent = new ArrayList<>();
    LinkFrameDecoder dec = new LinkFrameDecoder(LinkSide.EDGE);
    ByteBuf b =
        io.netty.buffer.Unpooled.wrappedBuffer(
            concat(
                Streams.encode(LinkSide.EDGE, List.of(Handshake.identity().hello(""))).bytes(),
                out));
    try {
      dec.decode(b, sent);
    } catch (LinkFormatException x) {
      throw new AssertionError(x);
    } finally {
      b.release();
    }
    assertThat(sent.get(1)).isInstanceOf(LinkError.class);
    assertThat(((LinkError) sent.get(1)).code()).isEqualTo(ErrorCode.PROTOCOL);
    assertThat(((LinkError) sent.get(1)).reason()).isEqualTo(e.getMessage());
    edge.checkException();
  }

  @Test
  void aStreamCutShortIsAFailureAtClose() {
    Events events = new Events();
    EmbeddedChannel gateway = new EmbeddedChannel(new LinkFrameCodec(LinkSide.GATEWAY), events);
    byte[] up = Streams.encode(LinkSide.EDGE, List.of(Handshake.identity().hello(""))).bytes();
    gateway.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(up, 0, up.length - 1));
    assertThat(inbound(gateway)).isEmpty();
    gateway.close();
    assertThat(events.events).hasSize(1);
    LinkFormatException e = (LinkFormatException) ((LinkFailure) events.events.get(0)).cause();
    assertThat(e.offset()).isEqualTo(up.length - 1);
    assertThat(e.problem()).startsWith("truncated");
    gateway.checkException();
    gateway.finishAndReleaseAll();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
