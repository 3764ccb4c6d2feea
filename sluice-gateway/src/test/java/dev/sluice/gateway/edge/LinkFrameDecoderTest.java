package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import dev.sluice.gateway.edge.LinkMessage.ErrorCode;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Non-canonical streams with valid CRCs: each rejected with the right offset and reason. */
class LinkFrameDecoderTest {

  /** The magic plus a frame 0 HELLO from the identity handshake: 4 + 17 + 39 = 60 bytes. */
  private static byte[] helloStream() {
    return Streams.encode(LinkSide.EDGE, List.of(Handshake.identity().hello(""))).bytes();
  }

  /** A frame with a correct CRC and whatever else. */
  private static byte[] frame(int type, long seq, long length, byte[] payload) {
    ByteBuf b = Unpooled.buffer();
    try {
      b.writeByte(type).writeLong(seq).writeInt((int) length).writeBytes(payload);
      CRC32C crc = new CRC32C();
      crc.update(b.nioBuffer(0, b.readableBytes()));
      b.writeInt((int) crc.getValue());
      byte[] out = new byte[b.readableBytes()];
      b.readBytes(out);
      return out;
    } finally {
      b.release();
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteBuf b = Unpooled.buffer();
    try {
      for (byte[] p : parts) {
        b.writeBytes(p);
      }
      byte[] out = new byte[b.readableBytes()];
      b.readBytes(out);
      return out;
    } finally {
      b.release();
    }
  }

  private static LinkFormatException reject(LinkSide writer, byte[] stream) {
    LinkFormatException e =
        catchThrowableOfType(
            LinkFormatException.class,
            () -> Streams.decode(writer, stream, new int[0], new ArrayList<>()));
    assertThat(e).as("rejected").isNotNull();
    return e;
  }

  @Test
  void badMagicIsRejectedAtItsFirstWrongByte() {
    LinkFormatException e =
        reject(LinkSide.GATEWAY, "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(e.offset()).isZero();
    assertThat(e.getMessage())
        .isEqualTo(
            "edge link stream from the gateway, byte 0 (magic): bad magic: byte 0x47, expected"
                + " 0x53 (\"SLNK\")");
    assertThat(reject(LinkSide.EDGE, new byte[] {0x53, 0x4C, 0x4E, 0x00}).offset()).isEqualTo(3);
  }

  @Test
  void sequenceGapNamesTheSequenceField() {
    byte[] s = concat(helloStream(), frame(4, 2, 1, new byte[] {7}));
    LinkFormatException e = reject(LinkSide.EDGE, s);
    assertThat(e.offset()).isEqualTo(60 + 1);
    assertThat(e.frameIndex()).isEqualTo(1);
    assertThat(e.problem()).isEqualTo("sequence gap: expected 1, got 2");
  }

  @Test
  void unknownTypeAndMisplacedFramesNameTheFrame() {
    assertThat(reject(LinkSide.EDGE, concat(helloStream(), frame(9, 1, 0, new byte[0]))).problem())
        .isEqualTo("unknown frame type 9");
    LinkFormatException dataFirst =
        reject(
            LinkSide.EDGE,
            concat(new byte[] {0x53, 0x4C, 0x4E, 0x4B}, frame(4, 0, 1, new byte[] {1})));
    assertThat(dataFirst.offset()).isEqualTo(4);
    assertThat(dataFirst.problem())
        .isEqualTo("DATA as frame 0 of the edge's stream (expected HELLO or ERROR)");
    byte[] hello2 = java.util.Arrays.copyOfRange(helloStream(), 4 + 13, 60 - 4);
    assertThat(
            reject(LinkSide.EDGE, concat(helloStream(), frame(1, 1, hello2.length, hello2)))
                .problem())
        .isEqualTo("HELLO after frame 0");
  }

  @Test
  void lengthAboveOneMebibyteIsRejectedBeforeThePayloadArrives() throws Exception {
    LinkFrameDecoder dec = new LinkFrameDecoder(LinkSide.EDGE);
    ByteBuf in = Unpooled.buffer();
    try {
      in.writeBytes(helloStream()).writeByte(4).writeLong(1).writeInt((1 << 20) + 1);
      List<LinkMessage> out = new ArrayList<>();
      LinkFormatException e =
          catchThrowableOfType(LinkFormatException.class, () -> dec.decode(in, out));
      assertThat(e.offset()).isEqualTo(60 + 9);
      assertThat(e.problem()).isEqualTo("payload length 1048577 above 1048576");
      assertThat(out).hasSize(1);
      // The decoder stays failed.
      assertThatThrownBy(() -> dec.decode(in, out)).isSameAs(e);
    } finally {
      in.release();
    }
  }

  @Test
  void emptyDataAndWrongControlLengthsAreNotCanonical() {
    assertThat(reject(LinkSide.EDGE, concat(helloStream(), frame(4, 1, 0, new byte[0]))).problem())
        .isEqualTo("payload length 0 is not valid for DATA");
    LinkFormatException e =
        reject(LinkSide.EDGE, concat(helloStream(), frame(7, 1, 4, new byte[4])));
    assertThat(e.offset()).isEqualTo(60 + 9);
    assertThat(e.problem()).isEqualTo("payload length 4 is not valid for PING");
  }

  @Test
  void endMustCountTheDataOfItsStream() {
    byte[] end = new byte[16];
    end[7] = 5;
    LinkFormatException e =
        reject(
            LinkSide.EDGE,
            concat(helloStream(), frame(4, 1, 3, new byte[] {1, 2, 3}), frame(5, 2, 16, end)));
    assertThat(e.offset()).isEqualTo(60 + 20 + 13);
    assertThat(e.problem()).isEqualTo("END says 5 DATA bytes, the stream carried 3");
  }

  @Test
  void malformedUtf8ReasonNamesTheBadByte() {
    byte[] payload = {0, 1, 'o', 'k', (byte) 0xC0, (byte) 0x80};
    LinkFormatException e = reject(LinkSide.EDGE, concat(helloStream(), frame(6, 1, 6, payload)));
    assertThat(e.offset()).isEqualTo(60 + 13 + 4);
    assertThat(e.problem()).isEqualTo("reason is not well-formed UTF-8");
  }

  @Test
  void helloListsMustBeStrictlyAscending() {
    byte[] h = java.util.Arrays.copyOfRange(helloStream(), 4 + 13, 60 - 4);
    byte[] bad = concat(new byte[] {2, 0, 1, 0, 1}, java.util.Arrays.copyOfRange(h, 3, h.length));
    LinkFormatException e =
        reject(
            LinkSide.EDGE,
            concat(new byte[] {0x53, 0x4C, 0x4E, 0x4B}, frame(1, 0, bad.length, bad)));
    assertThat(e.offset()).isEqualTo(4 + 13 + 3);
    assertThat(e.problem()).isEqualTo("version 1 not above 1");
  }

  @Test
  void encoderRefusesNonCanonicalStreams() {
    LinkFrameEncoder enc = new LinkFrameEncoder(LinkSide.GATEWAY);
    ByteBuf out = Unpooled.buffer();
    try {
      assertThatThrownBy(() -> enc.encode(new Data(new byte[] {1}), out))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "DATA as frame 0 of the gateway's stream (expected ACCEPT or REFUSE or ERROR)");
      assertThat(out.readableBytes()).isZero();
      enc.encode(new LinkError(ErrorCode.INTERNAL, "x"), out);
      assertThatThrownBy(() -> enc.encode(new End(End.UNCOUNTED, 0), out))
          .isInstanceOf(IllegalStateException.class);
      assertThat(enc.bytesWritten()).isEqualTo(out.readableBytes()).isEqualTo(4 + 17 + 3);
    } finally {
      out.release();
    }
  }

  @Test
  void largeDataIsSplitIntoFramesOfAtMostOneMebibyte() throws LinkFormatException {
    byte[] big = new byte[(5 << 19) + 3];
    new java.util.Random(1).nextBytes(big);
    Streams.Encoded s =
        Streams.encode(
            LinkSide.EDGE,
            List.of(Handshake.identity().hello(""), new Data(big), new End(End.UNCOUNTED, 9)));
    List<LinkMessage> got = Streams.decode(LinkSide.EDGE, s.bytes(), new int[0], new ArrayList<>());
    assertThat(got).hasSize(1 + 3 + 1);
    assertThat(((End) got.get(4)).dataBytes()).isEqualTo(big.length);
    assertThat(s.bytes().length).isEqualTo(4 + 17 + 39 + 3 * 17 + big.length + 17 + 16);
  }
}
