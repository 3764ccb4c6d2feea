package dev.sluice.detect.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The word-at-a-time long-run test answers exactly as the byte-by-byte one it replaced, on pieces
 * made of segments of base64 (with line breaks), hex (with spaces), words, whitespace, binary and
 * runs a few characters either side of minRun, at every offset and with runs carried in.
 */
class LongRunsTest {

  /** The byte-by-byte test TextDecoders ran before {@link LongRuns}, unchanged. */
  private static boolean reference(byte[] s64, byte[] s16, int minRun, int a, int h, byte[] b) {
    int over = ~(minRun - 1);
    for (byte value : b) {
      int c = value & 0xFF;
      int x = s64[c];
      int y = s16[c];
      a = (a & (x >> 1)) + (x & 1);
      h = (h & (y >> 1)) + (y & 1);
      if (((a | h) & over) != 0) {
        return true;
      }
    }
    return false;
  }

  @Property(tries = 3000, seed = "4242")
  void answersAsTheByteByByteTest(
      @ForAll("seeds") long seed, @ForAll @IntRange(min = 3, max = 8) int minRunBits) {
    Random r = new Random(seed);
    int minRun = 1 << minRunBits;
    byte[] s64 = new Base64Decoder(new Collect(), minRun).step();
    byte[] s16 = new HexDecoder(new Collect(), 0, minRun).step();
    byte[] piece = piece(r, minRun);
    int a = r.nextBoolean() ? 0 : r.nextInt(minRun);
    int h = r.nextBoolean() ? 0 : r.nextInt(minRun);
    int lead = r.nextInt(9);
    byte[] padded = new byte[lead + piece.length + r.nextInt(9)];
    System.arraycopy(piece, 0, padded, lead, piece.length);
    boolean expected = reference(s64, s16, minRun, a, h, piece);
    assertThat(new LongRuns(s64, s16, minRun).in(padded, lead, piece.length, a, h))
        .isEqualTo(expected);
  }

  private static byte[] piece(Random r, int minRun) {
    StringBuilder s = new StringBuilder();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int segments = 1 + r.nextInt(12);
    for (int k = 0; k < segments; k++) {
      int n = Math.max(0, minRun + r.nextInt(21) - 10 + (r.nextInt(4) == 0 ? r.nextInt(600) : 0));
      byte[] x = new byte[n];
      r.nextBytes(x);
      String text =
          switch (r.nextInt(8)) {
            case 0 -> Base64.getEncoder().encodeToString(x).substring(0, n);
            case 1 -> Base64.getMimeEncoder(1 + r.nextInt(80), "\r\n".getBytes()).encodeToString(x);
            case 2 -> HexFormat.of().formatHex(x).substring(0, n);
            case 3 -> HexFormat.ofDelimiter(r.nextBoolean() ? " " : "\n").formatHex(x);
            case 4 -> " ".repeat(n) + "\r\n\t".repeat(r.nextInt(5));
            case 5 -> "the quick brown fox, jumps over the lazy dog. ".repeat(1 + n / 40);
            case 6 -> "-_+/=".repeat(1 + n / 5);
            default -> null;
          };
      byte[] bytes = text == null ? x : text.getBytes(StandardCharsets.ISO_8859_1);
      out.write(bytes, 0, bytes.length);
      if (r.nextBoolean()) {
        out.write(" \",.;:=é\u0000".charAt(r.nextInt(9)));
      }
    }
    return out.toByteArray();
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }
}
