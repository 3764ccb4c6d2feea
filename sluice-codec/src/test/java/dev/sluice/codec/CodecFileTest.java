package dev.sluice.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The codec file format itself ({@code docs/formats/codec-file-v2.md}); the {@code sluice codec
 * compress|decompress} commands that read and write it are tested in sluice-app.
 */
class CodecFileTest {

  private static final CodecModel MODEL = CodecModel.builtIn();

  private static byte[] compress(byte[] input) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodecFile.compress(MODEL, new ByteArrayInputStream(input), out);
    return out.toByteArray();
  }

  @Test
  void anEmptyInputIsTheHeaderAndTheEndRecord() throws Exception {
    byte[] packed = compress(new byte[0]);
    assertThat(packed).hasSize(CodecFile.HEADER + 16);
    assertThat(Arrays.copyOf(packed, 4)).isEqualTo("SLCZ".getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(CodecFile.decompress(MODEL, new ByteArrayInputStream(packed), out)).isZero();
    assertThat(out.size()).isZero();
  }

  @Test
  void everyBitFlipIsRejectedAndNothingUnverifiedIsWritten() throws IOException {
    byte[] input = "data: {\"choices\":[]}\n\n".repeat(20).getBytes(StandardCharsets.UTF_8);
    byte[] packed = compress(input);
    for (int i = 0; i < packed.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = packed.clone();
        bad[i] ^= (byte) (1 << bit);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(
                () -> CodecFile.decompress(MODEL, new ByteArrayInputStream(bad), out),
                "byte %d bit %d",
                i,
                bit)
            .isInstanceOf(CodecFile.Rejected.class)
            .hasMessageStartingWith("byte ");
        // one segment here: its bytes are written only once they decoded and matched their CRC;
        // the 16 bytes of the end record are checked after
        if (i < packed.length - 16) {
          assertThat(out.size()).as("byte %d bit %d", i, bit).isZero();
        }
      }
    }
  }
}
