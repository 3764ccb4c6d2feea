package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.codec.CodecFile;
import dev.sluice.codec.StreamEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodecCompressCommandTest {

  @TempDir Path dir;

  private static byte[] compress(byte[] input, String... model) {
    CliRun.Piped c = CliRun.piped(input, args("compress", model));
    assertThat(c.exitCode()).as(c.err()).isZero();
    assertThat(c.out()).isEmpty();
    return c.stdout();
  }

  private static String[] args(String command, String... model) {
    String[] a = new String[2 + model.length];
    a[0] = "codec";
    a[1] = command;
    System.arraycopy(model, 0, a, 2, model.length);
    return a;
  }

  @Test
  void roundTripsEmptyTinyTextAndMultiSegmentInput() {
    byte[] big = new byte[StreamEncoder.MAX_SEGMENT_INPUT * 2 + 12345];
    new Random(1).nextBytes(big);
    byte[][] inputs = {
      new byte[0],
      {42},
      "data: {\"x\":1}\r\n\r\n".getBytes(StandardCharsets.UTF_8),
      big,
      Arrays.copyOf(big, StreamEncoder.MAX_SEGMENT_INPUT)
    };
    for (byte[] input : inputs) {
      byte[] packed = compress(input);
      assertThat(Arrays.copyOf(packed, 4)).isEqualTo("SLCZ".getBytes(StandardCharsets.US_ASCII));
      CliRun.Piped d = CliRun.piped(packed, "codec", "decompress");
      assertThat(d.exitCode()).as(d.err()).isZero();
      assertThat(d.stdout()).isEqualTo(input);
    }
    // an empty input is the header and the end record
    assertThat(compress(new byte[0])).hasSize(CodecFile.HEADER + 16);
  }

  @Test
  void everyTruncationIsRejectedWithAnOffset() {
    byte[] packed = compress("a small stream of text".getBytes(StandardCharsets.UTF_8));
    for (int n = 0; n < packed.length; n++) {
      CliRun.Piped d = CliRun.piped(Arrays.copyOf(packed, n), "codec", "decompress");
      assertThat(d.exitCode()).as("cut at %d", n).isEqualTo(1);
      assertThat(d.err()).as("cut at %d", n).contains("error: stdin, byte ").contains("truncated");
    }
  }

  /** Every bit flip is refused by CodecFile itself ({@code CodecFileTest}); here the command. */
  @Test
  void aBitFlipIsRejectedThroughTheCommand() {
    byte[] input = "data: {\"choices\":[]}\n\n".repeat(20).getBytes(StandardCharsets.UTF_8);
    byte[] packed = compress(input);
    // exit 1, the offset on stderr
    byte[] bad = flip(packed, CodecFile.HEADER + 6);
    CliRun.Piped d = CliRun.piped(bad, "codec", "decompress");
    assertThat(d.exitCode()).isEqualTo(1);
    assertThat(d.err()).startsWith("error: stdin, byte ");
    assertThat(d.stdout()).isEmpty();
  }

  @Test
  void specificCorruptionsAreNamed() {
    byte[] packed = compress("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(decompressError(flip(packed, 0))).contains("byte 0: not a sluice codec file");
    assertThat(decompressError(flip(packed, 10))).contains("byte 37: header CRC mismatch");
    int body = CodecFile.HEADER + 4;
    // a flipped bit inside a segment fails its decoding or its CRC, whichever comes first
    assertThat(decompressError(flip(packed, body + 3)))
        .containsPattern("byte \\d+: (segment does not decode|segment CRC mismatch)");
    // the segment's CRC is the 4 bytes before the 16 of the end record
    assertThat(decompressError(flip(packed, packed.length - 20))).contains("segment CRC mismatch");
    assertThat(decompressError(flip(packed, packed.length - 1)))
        .contains("CRC of the whole input does not match");
    byte[] longer = Arrays.copyOf(packed, packed.length + 1);
    assertThat(decompressError(longer)).contains("byte " + packed.length + ": bytes after the end");
    byte[] hugeLength = packed.clone();
    ByteBuffer.wrap(hugeLength).putInt(CodecFile.HEADER, CodecFile.MAX_SEGMENT + 1);
    assertThat(decompressError(hugeLength)).contains("byte 41: segment length");
  }

  private static byte[] flip(byte[] b, int at) {
    byte[] c = b.clone();
    c[at] ^= 0x40;
    return c;
  }

  private static String decompressError(byte[] input) {
    CliRun.Piped d = CliRun.piped(input, "codec", "decompress");
    assertThat(d.exitCode()).isEqualTo(1);
    return d.err();
  }

  @Test
  void anotherModelIsRefusedClearly() throws IOException {
    Path a = trained("a.slcm", "the first site's answers");
    Path b = trained("b.slcm", "another site's answers");
    byte[] input = "some egress".getBytes(StandardCharsets.UTF_8);
    byte[] packed = compress(input, "--model", a.toString());

    CliRun.Piped wrong = CliRun.piped(packed, "codec", "decompress", "--model", b.toString());
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.err())
        .contains("error: stdin, byte 5: compressed with model ")
        .contains("not with " + b + " (id ")
        .contains("decompress with the same model file");
    assertThat(wrong.stdout()).isEmpty();
    CliRun.Piped builtIn = CliRun.piped(packed, "codec", "decompress");
    assertThat(builtIn.exitCode()).isEqualTo(1);

    CliRun.Piped right = CliRun.piped(packed, "codec", "decompress", "--model", a.toString());
    assertThat(right.exitCode()).isZero();
    assertThat(right.stdout()).isEqualTo(input);

    CliRun.Piped noModel =
        CliRun.piped(packed, "codec", "compress", "--model", dir.resolve("x").toString());
    assertThat(noModel.exitCode()).isEqualTo(3);
  }

  private Path trained(String name, String text) throws IOException {
    Path corpus = Files.writeString(dir.resolve(name + ".txt"), text);
    Path model = dir.resolve(name);
    CliRun r =
        CliRun.of("codec", "train", "--corpus", corpus.toString(), "--out", model.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    return model;
  }

  @Test
  void compressStreamsInsteadOfReadingAllOfStdinFirst() {
    long total = 8L * StreamEncoder.MAX_SEGMENT_INPUT;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream endless =
        new InputStream() {
          long served;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (served >= total) {
              return -1;
            }
            // past three segments of input, two segment records must have been written already
            // (each at least its length, a byte of codec output and its CRC)
            if (served > 3L * StreamEncoder.MAX_SEGMENT_INPUT) {
              assertThat(out.size()).isGreaterThan(CodecFile.HEADER + 2 * (4 + 1 + 4));
            }
            int n = (int) Math.min(len, total - served);
            Arrays.fill(b, off, off + n, (byte) 'a');
            served += n;
            return n;
          }
        };
    CliRun.Piped c = CliRun.piped(endless, out, "codec", "compress");
    assertThat(c.exitCode()).as(c.err()).isZero();
    CliRun.Piped d = CliRun.piped(out.toByteArray(), "codec", "decompress");
    assertThat(d.exitCode()).as(d.err()).isZero();
    assertThat(d.stdout()).hasSize((int) total).containsOnly((byte) 'a');
  }
}
