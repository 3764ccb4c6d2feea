package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Fuzz targets: the codec's decoders with the built-in model, and the model file reader, on
 * arbitrary bytes. A decoder accepts a segment or frame payload or throws {@link
 * CodecFormatException}, never another exception, and its output stays within the documented
 * bounds; the model reader returns a model or throws an {@link IOException}; a model it returned
 * decodes as safely. Regression mode (every {@code verify}) runs the inputs under {@code
 * src/test/resources/dev/sluice/codec/CodecFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class CodecFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void aStreamSegmentDecodesOrIsRefused(byte[] data) {
    decodeSegment(CodecModel.builtIn(), data);
  }

  @FuzzTest(maxDuration = "2m")
  void aLinkFramePayloadDecodesOrIsRefused(byte[] data) {
    LinkDecoder dec = new LinkDecoder(CodecModel.builtIn());
    for (int id = 0; id < 4; id++) {
      dec.open(id);
    }
    long[] total = {0};
    try {
      dec.decode(
          data,
          0,
          data.length,
          (id, b, off, len) -> {
            assertThat(id).isBetween(0, 3);
            total[0] += len;
          });
      assertThat(total[0]).isLessThanOrEqualTo(4L * StreamCodec.MAX_SECTION_OUTPUT);
    } catch (CodecFormatException e) {
      assertThat(e.offset()).isBetween(0L, (long) data.length);
    }
  }

  @FuzzTest(maxDuration = "2m")
  void aModelFileLoadsOrIsRefused(byte[] data) {
    CodecModel model;
    try {
      model = CodecModel.fromBytes(data, "fuzz.slcm");
    } catch (IOException e) {
      assertThat(e.getMessage()).isNotNull();
      return;
    }
    assertThat(model.fileSize()).isEqualTo(data.length);
    decodeSegment(model, new byte[] {1, 0});
  }

  /**
   * As {@link #aModelFileLoadsOrIsRefused}, past the file's CRC: the input is a model file without
   * its last 4 bytes, and the target appends the right CRC32C, so that the fuzzer reaches the
   * parts' parsing (a mutated file almost never passes the CRC).
   */
  @FuzzTest(maxDuration = "2m")
  void aModelFileWithItsCrcLoadsOrIsRefused(byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body);
    byte[] file =
        ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    aModelFileLoadsOrIsRefused(file);
  }

  private static void decodeSegment(CodecModel model, byte[] data) {
    StreamDecoder dec = new StreamDecoder(model);
    try {
      byte[] out = dec.decode(data, 0, data.length);
      assertThat(out.length).isLessThanOrEqualTo(StreamEncoder.MAX_SEGMENT_INPUT);
    } catch (CodecFormatException e) {
      assertThat(e.offset()).isBetween(0L, (long) data.length);
    }
  }
}
