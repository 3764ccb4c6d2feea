package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.MuxMessage.Data;
import dev.sluice.gateway.edge.MuxMessage.Frame;
import dev.sluice.gateway.edge.MuxMessage.GoAway;
import dev.sluice.gateway.edge.MuxMessage.Open;
import dev.sluice.gateway.forward.NoLeaks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The version 2 framing: what the encoder writes decodes to the same messages however the bytes are
 * split; on plain TCP (checksums) every single bit flip is rejected with an offset and nothing of
 * the flipped frame passes; a stream cut at any offset before its GOAWAY or ERROR is truncated; a
 * version 1 HELLO is answered, not rejected.
 */
@ExtendWith(NoLeaks.class)
class MuxFrameCodecTest {

  private static List<Object> decodeAll(MuxStreams.Encoded s, byte[] bytes, int[] cuts)
      throws LinkFormatException {
    MuxFrameDecoder d = new MuxFrameDecoder(s.writer(), s.checksums());
    List<Object> out = new ArrayList<>();
    ByteBuf acc = Unpooled.buffer();
    try {
      int from = 0;
      for (int c : cuts) {
        acc.writeBytes(bytes, from, c - from);
        d.decode(acc, out);
        acc.discardReadBytes();
        from = c;
      }
      acc.writeBytes(bytes, from, bytes.length - from);
      d.decode(acc, out);
      d.endOfStream(acc);
    } finally {
      acc.release();
    }
    List<Object> ms = new ArrayList<>();
    for (Object o : out) {
      ms.add(((MuxFrameDecoder.Received) o).message());
    }
    return ms;
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof MuxMessage x && b instanceof MuxMessage y) {
      return x.sameAs(y);
    }
    if (a instanceof LinkMessage x && b instanceof LinkMessage y) {
      return x.sameAs(y);
    }
    return a.equals(b);
  }

  @Test
  void roundTripsAtEverySplit() throws Exception {
    Random rnd = new Random(11);
    for (int k = 0; k < 40; k++) {
      MuxStreams.Encoded s = MuxStreams.random(rnd, rnd.nextBoolean(), 12);
      List<Object> whole = decodeAll(s, s.bytes(), new int[0]);
      assertThat(whole).hasSize(s.messages().size());
      for (int i = 0; i < whole.size() - 1; i++) {
        assertThat(same(whole.get(i), s.messages().get(i)))
            .as("%s vs %s", whole.get(i), s.messages().get(i))
            .isTrue();
      }
      int step = Math.max(1, s.bytes().length / 300);
      for (int cut = 1; cut < s.bytes().length; cut += step) {
        List<Object> split = decodeAll(s, s.bytes(), new int[] {cut});
        assertThat(split).hasSize(whole.size());
      }
    }
  }

  @Test
  void everyBitFlipIsRejectedWithChecksums() throws Exception {
    Random rnd = new Random(12);
    for (int k = 0; k < 6; k++) {
      MuxStreams.Encoded s = MuxStreams.random(rnd, true, 6);
      if (s.bytes().length > 3000) {
        continue;
      }
      List<Object> whole = decodeAll(s, s.bytes(), new int[0]);
      for (int bit = 0; bit < s.bytes().length * 8; bit++) {
        byte[] b = s.bytes().clone();
        b[bit / 8] ^= (byte) (1 << (bit % 8));
        MuxFrameDecoder d = new MuxFrameDecoder(s.writer(), true);
        List<Object> out = new ArrayList<>();
        ByteBuf in = Unpooled.wrappedBuffer(b);
        int flippedAt = bit / 8;
        try {
          d.decode(in, out);
          d.endOfStream(in);
          throw new AssertionError("flip of bit " + bit + " not rejected");
        } catch (LinkFormatException e) {
          assertThat(e.getMessage()).contains("byte ");
        }
        // Nothing of the frame with the flipped bit, or after it, was emitted.
        for (Object o : out) {
          MuxFrameDecoder.Received r = (MuxFrameDecoder.Received) o;
          assertThat(r.offset()).isLessThanOrEqualTo(flippedAt);
        }
        assertThat(out.size()).isLessThan(whole.size());
      }
    }
  }

  @Test
  void aStreamCutAnywhereBeforeItsLastFrameIsTruncated() throws Exception {
    Random rnd = new Random(13);
    for (int k = 0; k < 20; k++) {
      MuxStreams.Encoded s = MuxStreams.random(rnd, rnd.nextBoolean(), 5);
      for (int cut = 0; cut < s.bytes().length; cut++) {
        MuxFrameDecoder d = new MuxFrameDecoder(s.writer(), s.checksums());
        ByteBuf in = Unpooled.wrappedBuffer(s.bytes(), 0, cut);
        List<Object> out = new ArrayList<>();
        int at = cut;
        assertThatThrownBy(
                () -> {
                  d.decode(in, out);
                  d.endOfStream(in);
                })
            .as("cut at %d of %d", at, s.bytes().length)
            .isInstanceOf(LinkFormatException.class)
            .hasMessageContaining("byte " + at);
      }
    }
  }

  @Test
  void headersAreOneToFourBytesAndTheCrcOnlyWithChecksums() {
    assertThat(MuxFormat.headerSize(0)).isEqualTo(1);
    assertThat(MuxFormat.headerSize(7)).isEqualTo(1);
    assertThat(MuxFormat.headerSize(8)).isEqualTo(2);
    assertThat(MuxFormat.headerSize(1023)).isEqualTo(2);
    assertThat(MuxFormat.headerSize(1024)).isEqualTo(3);
    assertThat(MuxFormat.headerSize(MuxFormat.MAX_PAYLOAD)).isEqualTo(4);
    assertThat(MuxFormat.frameSize(100, false)).isEqualTo(102);
    assertThat(MuxFormat.frameSize(100, true)).isEqualTo(106);
  }

  @Test
  void misplacedFramesAreRejectedWithTheirOffset() throws Exception {
    MuxFrameEncoder e = new MuxFrameEncoder(LinkSide.GATEWAY);
    ByteBuf out = Unpooled.buffer();
    e.handshake(MuxAccept.of(1, new byte[32], false, 100, 0), out);
    e.checksums(false);
    assertThatThrownBy(() -> e.encode(new Open(1, 10, ""), out))
        .hasMessageContaining("OPEN from the gateway");
    int at = out.readableBytes();
    // A DATA frame (edge only) written by hand into the gateway's stream.
    out.writeByte((3 << 4) | MuxType.DATA.code());
    out.writeBytes(new byte[] {1, 'x', 'y'});
    MuxFrameDecoder d = new MuxFrameDecoder(LinkSide.GATEWAY, false);
    List<Object> got = new ArrayList<>();
    assertThatThrownBy(() -> d.decode(out, got))
        .hasMessageContaining("byte " + at)
        .hasMessageContaining("DATA from the gateway");
    assertThat(got).hasSize(1);
    out.release();
  }

  @Test
  void openIdsMustAscendAndNothingFollowsError() {
    MuxFrameEncoder e = new MuxFrameEncoder(LinkSide.EDGE);
    ByteBuf out = Unpooled.buffer();
    e.handshake(new Handshake(List.of(2), List.of(1), new byte[32]).hello(""), out);
    e.encode(new Open(5, 10, "a"), out);
    assertThatThrownBy(() -> e.encode(new Open(5, 10, "a"), out)).hasMessageContaining("not above");
    e.encode(new Data(5, new byte[] {1}), out);
    e.encode(new GoAway(5), out);
    assertThatThrownBy(() -> e.encode(new Open(6, 10, "a"), out)).hasMessageContaining("GOAWAY");
    e.encode(new MuxMessage.Error(ErrorCode.INTERNAL, "x"), out);
    assertThatThrownBy(() -> e.encode(new Frame(new byte[1]), out))
        .isInstanceOf(IllegalStateException.class);
    out.release();
  }

  /** A version 1 edge's HELLO (versions [1]) followed at once by its DATA, as v1 edges send. */
  @Test
  void aVersionOneEdgeIsAnsweredWithRefuseVersionNamingBoth() throws Exception {
    LinkFrameEncoder v1 = new LinkFrameEncoder(LinkSide.EDGE);
    ByteBuf in = Unpooled.buffer();
    LinkMessage.Hello hello =
        new Handshake(List.of(1), List.of(1), new byte[32]).hello("1.2.3.4:5");
    v1.encode(hello, in);
    v1.encode(new LinkMessage.Data(new byte[] {'G', 'E', 'T'}), in);
    MuxFrameCodec codec = new MuxFrameCodec(LinkSide.GATEWAY, true);
    List<Object> seen = new ArrayList<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            codec,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add(msg);
              }

              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                seen.add(evt);
              }
            });
    ch.writeInbound(in);
    assertThat(seen).hasSize(1);
    LinkMessage.Hello got = (LinkMessage.Hello) ((MuxFrameDecoder.Received) seen.get(0)).message();
    LinkMessage answer = new Handshake(List.of(2), List.of(1), new byte[32]).answer(got);
    assertThat(answer).isInstanceOf(LinkMessage.Refuse.class);
    assertThat(((LinkMessage.Refuse) answer).reason())
        .isEqualTo("no common protocol version: the edge speaks [1], the gateway [2]");
    // The REFUSE goes out in version 1's layout, which a version 1 edge reads.
    ch.writeOutbound(answer);
    ByteBuf refuse = ch.readOutbound();
    LinkFrameDecoder v1Reader = new LinkFrameDecoder(LinkSide.GATEWAY);
    List<LinkMessage> back = new ArrayList<>();
    v1Reader.decode(refuse, back);
    assertThat(back.get(0)).isInstanceOf(LinkMessage.Refuse.class);
    refuse.release();
    ch.finishAndReleaseAll();
  }
}
