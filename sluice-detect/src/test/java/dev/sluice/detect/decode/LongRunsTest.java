package dev.sluice.detect.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The word-at-a-time long-run look-out answers exactly as the byte-by-byte test it replaced (the
 * same first byte at which a run becomes long, or none), on pieces made of segments of base64 (with
 * line breaks), hex (with spaces, either case), words, long words, whitespace, binary, bytes either
 * side of the look-out's ranges and runs a few characters either side of minRun, at every offset
 * and with runs carried in.
 */
class LongRunsTest {

  /**
   * The byte-by-byte test TextDecoders ran before {@link LongRuns}, made to say where: the index of
   * the first byte at which a run reaches minRun, or -1.
   */
  private static int reference(byte[] s64, byte[] s16, int minRun, int a, int h, byte[] b) {
    int over = ~(minRun - 1);
    for (int i = 0; i < b.length; i++) {
      int c = b[i] & 0xFF;
      int x = s64[c];
      int y = s16[c];
      a = (a & (x >> 1)) + (x & 1);
      h = (h & (y >> 1)) + (y & 1);
      if (((a | h) & over) != 0) {
        return i;
      }
    }
    return -1;
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
    int expected = reference(s64, s16, minRun, a, h, piece);
    assertThat(new LongRuns(s64, s16, minRun).find(padded, lead, piece.length, a, h))
        .isEqualTo(expected < 0 ? -1 : lead + expected);
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
          switch (r.nextInt(11)) {
            case 0 -> Base64.getEncoder().encodeToString(x).substring(0, n);
            case 1 -> Base64.getMimeEncoder(1 + r.nextInt(80), "\r\n".getBytes()).encodeToString(x);
            case 2 -> HexFormat.of().formatHex(x).substring(0, n);
            case 3 -> HexFormat.ofDelimiter(r.nextBoolean() ? " " : "\n").formatHex(x);
            case 4 -> " ".repeat(n) + "\r\n\t".repeat(r.nextInt(5));
            case 5 -> "the quick brown fox, jumps over the lazy dog. ".repeat(1 + n / 40);
            case 6 -> "-_+/=".repeat(1 + n / 5);
            case 7 -> edges(r, n);
            case 8 -> "Implementation\tunderstanding. ".repeat(1 + n / 30);
            case 9 -> HexFormat.ofDelimiter("\t").withUpperCase().formatHex(x);
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

  /**
   * One run a few characters either side of minRun (base64, MIME base64, hex, spaced hex), quoted,
   * in prose at any offset and alignment: the look-out alone must find it, where it does, at the
   * byte the byte-by-byte test names (a stride of pairs too long for minRun misses some).
   */
  @Property(tries = 3000, seed = "4343")
  void findsAnIsolatedRunInProseWhereverItIs(
      @ForAll("seeds") long seed, @ForAll @IntRange(min = 6, max = 8) int minRunBits) {
    Random r = new Random(seed);
    int minRun = 1 << minRunBits;
    byte[] s64 = new Base64Decoder(new Collect(), minRun).step();
    byte[] s16 = new HexDecoder(new Collect(), 0, minRun).step();
    int n = minRun - 2 + r.nextInt(11);
    byte[] x = new byte[n];
    r.nextBytes(x);
    String run =
        switch (r.nextInt(4)) {
          case 0 -> Base64.getEncoder().encodeToString(x).substring(0, n);
          case 1 -> Base64.getMimeEncoder(1 + r.nextInt(76), "\r\n".getBytes()).encodeToString(x);
          case 2 -> HexFormat.of().formatHex(x).substring(0, n);
          default -> HexFormat.ofDelimiter(" ").formatHex(x).substring(0, n);
        };
    String prose = "Prose, with \"quotes\" and longwords: implementation. ";
    String before = prose.repeat(1 + r.nextInt(6));
    String text =
        before.substring(r.nextInt(before.length()))
            + "\""
            + run
            + "\" "
            + prose.repeat(1 + r.nextInt(4));
    byte[] piece = text.getBytes(StandardCharsets.ISO_8859_1);
    int lead = r.nextInt(9);
    byte[] padded = new byte[lead + piece.length];
    System.arraycopy(piece, 0, padded, lead, piece.length);
    int expected = reference(s64, s16, minRun, 0, 0, piece);
    assertThat(new LongRuns(s64, s16, minRun).find(padded, lead, piece.length, 0, 0))
        .isEqualTo(expected < 0 ? -1 : lead + expected);
  }

  @Example
  void refusesASetWithAByteTheLookOutWouldPassOver() {
    byte[] s64 = new Base64Decoder(new Collect(), 64).step().clone();
    byte[] s16 = new HexDecoder(new Collect(), 0, 64).step();
    new LongRuns(s64, s16, 64);
    s64[' '] = -2; // a space skipped inside base64 runs: the look-out takes a space to end them
    assertThatThrownBy(() -> new LongRuns(s64, s16, 64))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("byte 32");
  }

  /**
   * n bytes of one set's characters and skipped bytes with, now and then, a byte either side of the
   * edges of the look-out's ranges ({@code 0x0F}, {@code 0x10}, {@code 0x2A}, {@code 0x2B}, {@code
   * 0x66}, {@code 0x67}, {@code 0x7F}, {@code 0x80}).
   */
  private static String edges(Random r, int n) {
    String set = r.nextBoolean() ? "Az09+/-_\r\n" : "09afAF \t\r\n";
    String edge = "\b\t\n\u001f\u0020\u0029\u002a\u0066\u0067\u007f\u0080";
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(
          r.nextInt(40) == 0
              ? edge.charAt(r.nextInt(edge.length()))
              : set.charAt(r.nextInt(set.length())));
    }
    return s.toString();
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }
}
