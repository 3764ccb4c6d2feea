package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzz targets: the edge link's frame decoders on arbitrary bytes, arriving in pieces. The input's
 * first byte picks the side that wrote the stream (bit 0: the gateway, else the edge) and, for
 * version 2, whether frames carry a CRC (bit 1); the second the piece size; the rest is the stream.
 * {@link LinkFrameDecoder} (version 1) emits messages or throws {@link LinkFormatException} naming
 * an offset within the stream; {@link MuxFrameCodec} (version 2) in an {@code EmbeddedChannel} lets
 * no exception out of the pipeline: a bad stream is a {@link LinkFailure} event and a close.
 * Regression mode (every {@code verify}) runs the inputs under {@code
 * src/test/resources/dev/sluice/gateway/edge/EdgeFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class EdgeFuzzTest {

  private record Input(LinkSide writer, boolean checksums, int piece, byte[] stream) {
    static Input of(byte[] data) {
      int flags = data.length > 0 ? data[0] : 0;
      int piece = data.length > 1 ? (data[1] & 0xFF) + 1 : 256;
      byte[] stream = new byte[Math.max(0, data.length - 2)];
      System.arraycopy(data, data.length - stream.length, stream, 0, stream.length);
      return new Input(
          (flags & 1) != 0 ? LinkSide.GATEWAY : LinkSide.EDGE, (flags & 2) != 0, piece, stream);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void aLinkStreamDecodesOrIsRefused(byte[] data) {
    Input in = Input.of(data);
    LinkFrameDecoder d = new LinkFrameDecoder(in.writer());
    List<LinkMessage> out = new ArrayList<>();
    ByteBuf acc = Unpooled.buffer();
    try {
      for (int at = 0; at < in.stream().length; at += in.piece()) {
        acc.writeBytes(in.stream(), at, Math.min(in.piece(), in.stream().length - at));
        d.decode(acc, out);
        acc.discardReadBytes();
      }
      d.endOfStream(acc);
      // complete: its last frame read, or an END (only an ERROR may follow it)
      assertThat(d.finished() || d.ended()).isTrue();
    } catch (LinkFormatException e) {
      assertThat(e.getMessage()).isNotNull();
      assertThat(d.failure()).isSameAs(e);
    } finally {
      acc.release();
      out.forEach(ReferenceCountUtil::release);
    }
    assertThat(d.offset()).isBetween(0L, (long) in.stream().length);
  }

  @FuzzTest(maxDuration = "2m")
  void aMuxStreamNeverThrowsOutOfThePipeline(byte[] data) {
    Input in = Input.of(data);
    MuxFrameCodec codec = new MuxFrameCodec(in.writer().peer(), in.checksums());
    List<Object> failures = new ArrayList<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            codec,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                failures.add(evt);
              }
            });
    for (int at = 0; at < in.stream().length && ch.isOpen(); at += in.piece()) {
      ch.writeInbound(
          Unpooled.wrappedBuffer(in.stream(), at, Math.min(in.piece(), in.stream().length - at)));
      ch.checkException();
    }
    ch.finishAndReleaseAll();
    ch.checkException();
    for (Object f : failures) {
      assertThat(f).isInstanceOf(LinkFailure.class);
      assertThat(((LinkFailure) f).cause()).isInstanceOf(LinkFormatException.class);
    }
    assertThat(codec.failed()).isEqualTo(!failures.isEmpty());
  }
}
