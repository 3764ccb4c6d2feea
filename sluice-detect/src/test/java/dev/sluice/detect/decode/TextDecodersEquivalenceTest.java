package dev.sluice.detect.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * {@link TextDecoders} (the long-run look-out, pieces cut into sub-pieces) hands each sink the
 * bytes, and the first rawStart, that its decoder fed directly the same pieces hands it: on text
 * with base64 and hex runs (some long, many of 56 to 200 characters, so that runs of 64 or more
 * with fewer on each side of a sub-piece or piece boundary are common), fed in pieces of up to 200
 * KB.
 */
class TextDecodersEquivalenceTest {

  @Property(tries = 40, seed = "2024")
  void decodesWhatTheDecodersDecodeAlone(@ForAll long seed) {
    Random r = new Random(seed);
    StringBuilder text = new StringBuilder();
    while (text.length() < 300_000) {
      int kind = r.nextInt(20);
      if (kind == 0) {
        text.append(Base64.getEncoder().encodeToString(bytes(r, 30 + r.nextInt(20_000))));
      } else if (kind == 1) {
        text.append(HexFormat.of().formatHex(bytes(r, 20 + r.nextInt(10_000))));
      } else if (kind < 8) {
        text.append("The answer is plain text, words and spaces; ".repeat(1 + r.nextInt(20)));
      } else if (kind < 13) {
        text.append(Base64.getEncoder().encodeToString(bytes(r, 40 + r.nextInt(110))));
      } else if (kind < 17) {
        text.append(HexFormat.of().formatHex(bytes(r, 28 + r.nextInt(80))));
      } else {
        text.append(Base64.getMimeEncoder().encodeToString(bytes(r, 40 + r.nextInt(9))));
      }
      text.append(r.nextBoolean() ? "\", \"" : " | ");
    }
    byte[] data = text.toString().getBytes(StandardCharsets.US_ASCII);
    Collect b64 = new Collect();
    Collect hex = new Collect();
    Collect odd = new Collect();
    Collect b64Alone = new Collect();
    Collect hexAlone = new Collect();
    Collect oddAlone = new Collect();
    TextDecoders all = new TextDecoders(b64, hex, odd, 64);
    Decoder[] alone = {
      new Base64Decoder(b64Alone, 64),
      new HexDecoder(hexAlone, 0, 64),
      new HexDecoder(oddAlone, 1, 64)
    };
    int max = 1 + r.nextInt(200_000);
    for (int i = 0; i < data.length; ) {
      int n = Math.min(data.length - i, 1 + r.nextInt(max));
      all.accept(data, i, n, i);
      for (Decoder d : alone) {
        d.accept(data, i, n, i);
      }
      i += n;
    }
    all.end();
    for (Decoder d : alone) {
      d.end();
    }
    assertThat(b64.toByteArray()).isNotEmpty().isEqualTo(b64Alone.toByteArray());
    assertThat(hex.toByteArray()).isEqualTo(hexAlone.toByteArray());
    assertThat(odd.toByteArray()).isEqualTo(oddAlone.toByteArray());
    assertThat(b64.firstRaw).isEqualTo(b64Alone.firstRaw);
    assertThat(hex.firstRaw).isEqualTo(hexAlone.firstRaw);
  }

  /**
   * The same on small pieces (1 to 300 bytes), so that runs are found at every position of a piece,
   * start in one piece and become long in another, and are decoded across many pieces and
   * stretches; runs of 60 to 70 characters (either side of minRun) between prose and JSON. Each
   * decoded byte is also checked to carry a lower bound of where it was on the wire: the rawStart
   * its decoder alone gives it or a later one, never later than the piece being fed when it came
   * out.
   */
  @Property(tries = 60, seed = "2025")
  void decodesTheSameOnSmallPiecesWithRawStartsThatAreLowerBounds(@ForAll long seed) {
    Random r = new Random(seed);
    StringBuilder text = new StringBuilder();
    while (text.length() < 40_000) {
      switch (r.nextInt(6)) {
        case 0 -> text.append(Base64.getEncoder().encodeToString(bytes(r, 45 + r.nextInt(9))));
        case 1 -> text.append(HexFormat.of().formatHex(bytes(r, 30 + r.nextInt(6))));
        case 2 ->
            text.append(Base64.getMimeEncoder().encodeToString(bytes(r, 40 + r.nextInt(900))));
        case 3 -> text.append("{\"model\": \"Meta-Llama-3-70B-Instruct\", \"text\": \"");
        default -> text.append("Implementation details follow.\\n\\n* a list, ");
      }
      text.append(r.nextBoolean() ? "\", \"" : " ");
    }
    byte[] data = text.toString().getBytes(StandardCharsets.US_ASCII);
    long[] piece = {0};
    Raws[] lanes = {new Raws(piece), new Raws(piece), new Raws(piece)};
    Raws[] alone = {new Raws(piece), new Raws(piece), new Raws(piece)};
    TextDecoders all = new TextDecoders(lanes[0], lanes[1], lanes[2], 64);
    Decoder[] decoders = {
      new Base64Decoder(alone[0], 64),
      new HexDecoder(alone[1], 0, 64),
      new HexDecoder(alone[2], 1, 64)
    };
    for (int i = 0; i < data.length; ) {
      int n = Math.min(data.length - i, 1 + r.nextInt(300));
      piece[0] = i;
      all.accept(data, i, n, i);
      for (Decoder d : decoders) {
        d.accept(data, i, n, i);
      }
      i += n;
    }
    all.end();
    for (Decoder d : decoders) {
      d.end();
    }
    assertThat(lanes[0].bytes.size()).isPositive();
    for (int lane = 0; lane < 3; lane++) {
      assertThat(lanes[lane].toByteArray()).isEqualTo(alone[lane].toByteArray());
      for (int k = 0; k < lanes[lane].raws.size(); k++) {
        assertThat(lanes[lane].raws.get(k))
            .as("lane %d, decoded byte %d", lane, k)
            .isBetween(alone[lane].raws.get(k), lanes[lane].fed.get(k));
      }
    }
  }

  /** Keeps each decoded byte's rawStart and the rawStart of the piece being fed when it came. */
  private static final class Raws implements ByteSink {
    final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    final java.util.List<Long> raws = new java.util.ArrayList<>();
    final java.util.List<Long> fed = new java.util.ArrayList<>();
    private final long[] piece;

    Raws(long[] piece) {
      this.piece = piece;
    }

    @Override
    public void accept(byte[] b, int off, int len, long rawStart) {
      bytes.write(b, off, len);
      for (int k = 0; k < len; k++) {
        raws.add(rawStart);
        fed.add(piece[0]);
      }
    }

    @Override
    public void end() {}

    byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }

  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }
}
