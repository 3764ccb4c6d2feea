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

  /** The magic plus a frame 0 HELLO from the identity handshake: 4 + (6 + 37) = 47 bytes. */
  private static byte[] helloStream() {
    return Streams.encode(LinkSide.EDGE, List.of(Handshake.identity().hello(""))).bytes();
  }

  /** Length of {@link #helloStream}. */
  private static final int H = 47;

  /** Unsigned LEB128 of {@code v}, shortest form. */
  private static byte[] varint(long v) {
    ByteBuf b = Unpooled.buffer();
    try {
      EdgeLink.writeVarint(b, v);
      byte[] out = new byte[b.readableBytes()];
      b.readBytes(out);
      return out;
    } finally {
      b.release();
    }
  }

  /** A frame with a correct CRC for sequence number {@code seq} and whatever else. */
  private static byte[] frame(int type, long seq, long length, byte[] payload) {
    return frame(type, seq, varint(length), payload);
  }

  /** A frame with the given length field bytes and a correct CRC for {@code seq}. */
  private static byte[] frame(int type, long seq, byte[] lengthField, byte[] payload) {
    ByteBuf b = Unpooled.buffer();
    try {
      b.writeByte(type).writeBytes(lengthField).writeBytes(payload);
      CRC32C crc = new CRC32C();
      crc.update(java.nio.ByteBuffer.allocate(8).putLong(0, seq));
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
  void theIdentityHelloStreamIs47Bytes() {
    assertThat(helloStream()).hasSize(H);
  }

  @Test
  void aFrameCheckedAgainstAnotherSequenceNumberFailsItsCrc() {
    // A valid DATA frame for position 2, where position 1 is expected (frame 1 was lost).
    byte[] s = concat(helloStream(), frame(4, 2, 1, new byte[] {7}));
    LinkFormatException e = reject(LinkSide.EDGE, s);
    assertThat(e.offset()).isEqualTo(H + 2 + 1); // the CRC field
    assertThat(e.frameOffset()).isEqualTo(H);
    assertThat(e.frameIndex()).isEqualTo(1);
    assertThat(e.problem())
        .startsWith("CRC mismatch (a corrupted, missing or reordered frame): computed ")
        .containsPattern("computed [0-9a-f]{8}, frame has [0-9a-f]{8}$");
    // The same frame where it belongs is fine.
    assertThat(
            catchThrowableOfType(
                LinkFormatException.class,
                () ->
                    new LinkFrameDecoder(LinkSide.EDGE)
                        .decode(
                            Unpooled.wrappedBuffer(
                                concat(helloStream(), frame(4, 1, 1, new byte[] {7}))),
                            new ArrayList<>())))
        .isNull();
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
    byte[] hello2 = java.util.Arrays.copyOfRange(helloStream(), 4 + 2, H - 4);
    assertThat(
            reject(LinkSide.EDGE, concat(helloStream(), frame(1, 1, hello2.length, hello2)))
                .problem())
        .isEqualTo("HELLO after frame 0");
  }

  /** Feeds {@code header} after the HELLO stream; the decoder must reject it without a payload. */
  private static LinkFormatException rejectHeader(int... header) {
    LinkFrameDecoder dec = new LinkFrameDecoder(LinkSide.EDGE);
    ByteBuf in = Unpooled.buffer();
    try {
      in.writeBytes(helloStream());
      for (int b : header) {
        in.writeByte(b);
      }
      List<LinkMessage> out = new ArrayList<>();
      LinkFormatException e =
          catchThrowableOfType(LinkFormatException.class, () -> dec.decode(in, out));
      assertThat(e).as("rejected on the header alone").isNotNull();
      assertThat(out).hasSize(1);
      // The decoder stays failed.
      assertThatThrownBy(() -> dec.decode(in, out)).isSameAs(e);
      return e;
    } finally {
      in.release();
    }
  }

  @Test
  void lengthAboveOneMebibyteIsRejectedBeforeThePayloadArrives() {
    byte[] len = varint((1 << 20) + 1);
    assertThat(len).hasSize(3);
    LinkFormatException e = rejectHeader(4, len[0], len[1], len[2]);
    assertThat(e.offset()).isEqualTo(H + 1);
    assertThat(e.problem()).isEqualTo("payload length 1048577 above 1048576");
    // A fourth length byte announced: above 1 MiB too, rejected at the third.
    LinkFormatException four = rejectHeader(4, 0x80, 0x80, 0x80);
    assertThat(four.offset()).isEqualTo(H + 1);
    assertThat(four.problem()).isEqualTo("payload length longer than 3 bytes (above 1048576)");
    // Exactly 1 MiB is a valid length: the decoder waits for the payload.
    LinkFrameDecoder dec = new LinkFrameDecoder(LinkSide.EDGE);
    ByteBuf in = Unpooled.buffer();
    try {
      in.writeBytes(helloStream()).writeByte(4).writeBytes(varint(1 << 20));
      List<LinkMessage> out = new ArrayList<>();
      dec.decode(in, out);
      assertThat(out).hasSize(1);
      assertThat(in.readableBytes()).isEqualTo(4);
    } catch (LinkFormatException x) {
      throw new AssertionError(x);
    } finally {
      in.release();
    }
  }

  @Test
  void aLengthNotInItsShortestFormIsRejectedAtTheLengthField() {
    LinkFormatException e = rejectHeader(4, 0x81, 0x00);
    assertThat(e.offset()).isEqualTo(H + 1);
    assertThat(e.frameOffset()).isEqualTo(H);
    assertThat(e.problem()).isEqualTo("payload length 1 not in its shortest form (2 bytes, not 1)");
    LinkFormatException three = rejectHeader(4, 0x80, 0x81, 0x00);
    assertThat(three.offset()).isEqualTo(H + 1);
    assertThat(three.problem())
        .isEqualTo("payload length 128 not in its shortest form (3 bytes, not 2)");
    // The same with a whole frame and a valid CRC over the long form.
    LinkFormatException whole =
        reject(
            LinkSide.EDGE,
            concat(helloStream(), frame(4, 1, new byte[] {(byte) 0x81, 0x00}, new byte[] {7})));
    assertThat(whole.offset()).isEqualTo(H + 1);
    assertThat(whole.problem()).contains("not in its shortest form");
  }

  @Test
  void framingCostsSixToEightBytes() {
    LinkFrameEncoder enc = new LinkFrameEncoder(LinkSide.GATEWAY);
    ByteBuf out = Unpooled.buffer();
    try {
      enc.encode(LinkMessage.Accept.of(1, 1, new byte[32]), out);
      assertThat(enc.bytesWritten()).isEqualTo(4 + 6 + 10);
      long before = enc.bytesWritten();
      int[][] sizes = {{1, 6}, {127, 6}, {128, 7}, {16383, 7}, {16384, 8}, {1 << 20, 8}};
      long data = 0;
      for (int[] sz : sizes) {
        out.clear();
        enc.encode(new Data(new byte[sz[0]]), out);
        assertThat(enc.bytesWritten() - before)
            .as("DATA of %d bytes", sz[0])
            .isEqualTo(sz[0] + sz[1]);
        assertThat(out.readableBytes()).isEqualTo(sz[0] + sz[1]);
        assertThat(EdgeLink.frameSize(sz[0])).isEqualTo(sz[0] + sz[1]);
        before = enc.bytesWritten();
        data += sz[0];
      }
      out.clear();
      enc.encode(new End(End.UNCOUNTED, 5), out);
      // END: two varints, the DATA count (1,081,599: 3 bytes) and the decoded count (5: 1 byte)
      assertThat(data).isEqualTo(1_081_599);
      assertThat(enc.bytesWritten() - before).isEqualTo(6 + 3 + 1);
    } finally {
      out.release();
    }
  }

  @Test
  void emptyDataAndWrongControlLengthsAreNotCanonical() {
    assertThat(reject(LinkSide.EDGE, concat(helloStream(), frame(4, 1, 0, new byte[0]))).problem())
        .isEqualTo("payload length 0 is not valid for DATA");
    LinkFormatException e =
        reject(LinkSide.EDGE, concat(helloStream(), frame(7, 1, 4, new byte[4])));
    assertThat(e.offset()).isEqualTo(H + 1);
    assertThat(e.problem()).isEqualTo("payload length 4 is not valid for PING");
  }

  @Test
  void endMustCountTheDataOfItsStream() {
    byte[] data = frame(4, 1, 3, new byte[] {1, 2, 3});
    LinkFormatException e =
        reject(LinkSide.EDGE, concat(helloStream(), data, frame(5, 2, 2, new byte[] {5, 0})));
    assertThat(e.offset()).isEqualTo(H + data.length + 2);
    assertThat(e.problem()).isEqualTo("END says 5 DATA bytes, the stream carried 3");
  }

  @Test
  void endCountsAreCanonicalVarintsBelow2To63() {
    byte[] data = frame(4, 1, 3, new byte[] {1, 2, 3});
    int end = H + data.length + 2; // END's first payload byte
    LinkFormatException longForm =
        reject(
            LinkSide.EDGE,
            concat(helloStream(), data, frame(5, 2, 3, new byte[] {(byte) 0x83, 0, 0})));
    assertThat(longForm.offset()).isEqualTo(end);
    assertThat(longForm.problem())
        .isEqualTo("DATA byte count 3 not in its shortest form (2 bytes)");
    LinkFormatException decodedLong =
        reject(
            LinkSide.EDGE,
            concat(helloStream(), data, frame(5, 2, 3, new byte[] {3, (byte) 0x80, 0})));
    assertThat(decodedLong.offset()).isEqualTo(end + 1);
    assertThat(decodedLong.problem())
        .isEqualTo("decoded byte count 0 not in its shortest form (2 bytes)");
    byte[] huge = new byte[11];
    huge[0] = 3;
    java.util.Arrays.fill(huge, 1, 10, (byte) 0xFF);
    huge[10] = 1;
    LinkFormatException tooBig =
        reject(LinkSide.EDGE, concat(helloStream(), data, frame(5, 2, huge.length, huge)));
    assertThat(tooBig.offset()).isEqualTo(end + 1);
    assertThat(tooBig.problem()).isEqualTo("decoded byte count >= 2^63");
    LinkFormatException extra =
        reject(LinkSide.EDGE, concat(helloStream(), data, frame(5, 2, 3, new byte[] {3, 0, 0})));
    assertThat(extra.offset()).isEqualTo(end + 2);
    assertThat(extra.problem()).isEqualTo("bytes after END's two counts");
    LinkFormatException inside =
        reject(
            LinkSide.EDGE,
            concat(helloStream(), data, frame(5, 2, 2, new byte[] {3, (byte) 0x80})));
    assertThat(inside.offset()).isEqualTo(end + 2);
    assertThat(inside.problem()).isEqualTo("END ends inside its decoded byte count");
    // The largest counts: 9 bytes each.
    Streams.Encoded max =
        Streams.encode(
            LinkSide.EDGE,
            List.of(Handshake.identity().hello(""), new End(End.UNCOUNTED, Long.MAX_VALUE)));
    assertThat(max.bytes()).hasSize(H + 6 + 1 + 9);
  }

  @Test
  void malformedUtf8ReasonNamesTheBadByte() {
    byte[] payload = {0, 1, 'o', 'k', (byte) 0xC0, (byte) 0x80};
    LinkFormatException e = reject(LinkSide.EDGE, concat(helloStream(), frame(6, 1, 6, payload)));
    assertThat(e.offset()).isEqualTo(H + 2 + 4);
    assertThat(e.problem()).isEqualTo("reason is not well-formed UTF-8");
  }

  @Test
  void helloListsMustBeStrictlyAscending() {
    byte[] h = java.util.Arrays.copyOfRange(helloStream(), 4 + 2, H - 4);
    assertThat(h).hasSize(37).startsWith(1, 1, 1, 0); // versions [1], codecs [0]
    byte[] bad = concat(new byte[] {2, 1, 1}, java.util.Arrays.copyOfRange(h, 2, h.length));
    LinkFormatException e =
        reject(
            LinkSide.EDGE,
            concat(new byte[] {0x53, 0x4C, 0x4E, 0x4B}, frame(1, 0, bad.length, bad)));
    assertThat(e.offset()).isEqualTo(4 + 2 + 2);
    assertThat(e.problem()).isEqualTo("version 1 not above 1");
  }

  @Test
  void versionsAndCodecsAreBytes() {
    assertThatThrownBy(() -> new Handshake(List.of(1, 256), List.of(0), new byte[32]))
        .isInstanceOf(IllegalArgumentException.class);
    LinkFrameEncoder enc = new LinkFrameEncoder(LinkSide.GATEWAY);
    ByteBuf out = Unpooled.buffer();
    try {
      assertThatThrownBy(() -> enc.encode(new LinkMessage.Accept(1, 256, new byte[8]), out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("codec out of range: 256");
      assertThatThrownBy(() -> enc.encode(new LinkMessage.Accept(1, 1, new byte[32]), out))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("model id of 32 bytes, not 8");
      assertThat(out.readableBytes()).isZero();
      assertThat(enc.bytesWritten()).isZero();
    } finally {
      out.release();
    }
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
      assertThat(enc.bytesWritten()).isEqualTo(out.readableBytes()).isEqualTo(4 + 6 + 3);
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
    // HELLO 6 + 37; three DATA frames with 3-byte lengths, 8 each; END 6 + 4 + 1
    assertThat(s.bytes().length).isEqualTo(4 + (6 + 37) + 3 * 8 + big.length + (6 + 4 + 1));
  }
}
