package dev.sluice.detect.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextDecodersTest {

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static byte[] concat(String before, String encoded, String after) {
    return (before + encoded + after).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void base64WithLineBreaksInTextIsRestoredExactlyAndShortRunsAreDropped() {
    byte[] data = random(100_000, 1);
    String mime = Base64.getMimeEncoder().encodeToString(data);
    Collect out = new Collect();
    Collect.feed(
        new Base64Decoder(out, 64),
        concat("{\"text\": \"a few words here\", \"data\": \"", mime, "\"}"),
        new Random(2),
        5000);
    assertThat(out.toByteArray()).isEqualTo(data);
    assertThat(out.ended).isTrue();
  }

  @Test
  void urlSafeBase64WithoutPaddingIsRestored() {
    byte[] data = random(10_001, 3);
    String url = Base64.getUrlEncoder().withoutPadding().encodeToString(data);
    Collect out = new Collect();
    Collect.feed(new Base64Decoder(out, 64), concat("x=", url, " end"), new Random(4), 100);
    // "x" is a one-character run, dropped; "end" too
    assertThat(out.toByteArray()).isEqualTo(data);
  }

  @Test
  void runsSpanningManyTinyPiecesAreDecodedFromTheirFirstCharacter() {
    byte[] data = random(3000, 10);
    String b64 = Base64.getEncoder().encodeToString(data);
    for (int max : new int[] {1, 2, 3, 7, 63, 64, 65}) {
      Collect out = new Collect();
      Collect.feed(new Base64Decoder(out, 64), concat("ab cd ", b64, " ef"), new Random(max), max);
      assertThat(out.toByteArray()).as("pieces of up to " + max).isEqualTo(data);
      Collect hex = new Collect();
      Collect.feed(
          new HexDecoder(hex, 0, 64),
          concat("xx ab-", HexFormat.of().formatHex(data), "-"),
          new Random(max),
          max);
      assertThat(hex.toByteArray()).as("hex, pieces of up to " + max).isEqualTo(data);
    }
  }

  @Test
  void hexAtBothNibblePhases() {
    byte[] data = random(5000, 5);
    String hex = HexFormat.of().withUpperCase().formatHex(data);
    Collect even = new Collect();
    Collect.feed(new HexDecoder(even, 0, 64), concat("0x", hex, ";"), new Random(6), 333);
    assertThat(even.toByteArray()).isEqualTo(data);
    Collect odd = new Collect();
    Collect.feed(
        new HexDecoder(odd, 1, 64), concat("id=7", hex.toLowerCase(), "\n;"), new Random(7), 333);
    assertThat(odd.toByteArray()).isEqualTo(data);
  }

  @Test
  void ordinaryTextDecodesToNothing() {
    byte[] text =
        "The quick brown fox jumps over the lazy dog; deadbeef cafe 0123456789.\n"
            .repeat(2000)
            .getBytes(StandardCharsets.US_ASCII);
    Collect b64 = new Collect();
    Collect.feed(new Base64Decoder(b64, 64), text, new Random(8), 4096);
    Collect hex = new Collect();
    Collect.feed(new HexDecoder(hex, 0, 64), text, new Random(9), 4096);
    assertThat(b64.toByteArray()).isEmpty();
    assertThat(hex.toByteArray()).isEmpty();
  }

  @Test
  void runsFoundAtAPiecesLastByteAndLongerThanAStretchAreDecodedExactly() {
    // a base64 run longer than the decoders' largest stretch (8 KiB), and a hex run that becomes
    // long at the last byte of a 64 KiB piece and goes on in the next, between pages of prose
    byte[] big = random(30_000, 11);
    byte[] small = random(100, 12);
    String prose = "Plain words, and \"quotes\": nothing to decode here.\\n";
    String head = prose.repeat(1 + 65_536 / prose.length()).substring(0, 65_536 - 64) + " ";
    String hexRun = HexFormat.of().formatHex(small);
    String text =
        head.substring(1)
            + hexRun
            + " | "
            + prose.repeat(200)
            + "\""
            + Base64.getEncoder().encodeToString(big)
            + " | "
            + prose.repeat(50);
    byte[] data = text.getBytes(StandardCharsets.US_ASCII);
    assertThat(text.indexOf(hexRun) + 63).isEqualTo(65_535);
    Collect b64 = new Collect();
    Collect hex = new Collect();
    Collect odd = new Collect();
    TextDecoders all = new TextDecoders(b64, hex, odd, 64);
    for (int i = 0; i < data.length; i += 65_536) {
      all.accept(data, i, Math.min(65_536, data.length - i), i);
    }
    all.end();
    assertThat(hex.toByteArray()).isEqualTo(small);
    assertThat(hex.firstRaw).isZero();
    // the hex run is a base64 run too (200 characters: 150 bytes), then the base64 itself
    assertThat(b64.toByteArray()).hasSize(150 + big.length).endsWith(big);
    assertThat(odd.toByteArray()).hasSize(small.length - 1);
  }
}
