package dev.sluice.detect.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.format.DType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Regions, carriers, edges and the streaming scanner, on real weights and real text. */
class TensorDetectorTest {

  private static byte[] text(int n) {
    return Arrays.copyOf(Negatives.corpusText(), n);
  }

  private static byte[] weights(DType t, int n) {
    byte[] w =
        t == DType.F32
            ? WeightBytes.of(WeightBytes.MINILM, t)
            : WeightBytes.converted(WeightBytes.MINILM, t);
    return Arrays.copyOfRange(w, 1 << 20, (1 << 20) + n);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void reportsTheRegionOfWeightsBetweenTextToWithinFourKiB() {
    // 100 KiB of answers, 300 KiB of bf16 weights at an odd offset, 100 KiB of answers
    byte[] data = concat(text(100 * 1024 + 3), weights(DType.BF16, 300 * 1024), text(100 * 1024));
    List<TensorFinding> f = new TensorDetector(new SplittableRandom(17)).scan(data, 0, data.length);
    assertThat(f).hasSize(1);
    TensorFinding r = f.get(0);
    assertThat(r.dtype()).isEqualTo(DType.BF16);
    assertThat(r.carrier()).isEqualTo(Carrier.RAW);
    assertThat(r.offset()).isBetween(100L * 1024 + 3 - 4096, 100L * 1024 + 3 + 4096);
    assertThat(r.end()).isBetween(400L * 1024 + 3 - 4096, 400L * 1024 + 3 + 4096);
  }

  @Test
  void findsBase64WeightsInsideJsonAndReportsTheEncodedRun() {
    String b64 = Base64.getEncoder().encodeToString(weights(DType.F32, 96 * 1024));
    byte[] json =
        ("{\"id\":\"x\",\"note\":\"a plain answer, with spaces\",\"blob\":\"" + b64 + "\"}")
            .getBytes(StandardCharsets.US_ASCII);
    List<TensorFinding> f = new TensorDetector(new SplittableRandom(17)).scan(json, 0, json.length);
    int start = json.length - b64.length() - 2;
    assertThat(f).hasSize(1);
    assertThat(f.get(0).carrier()).isEqualTo(Carrier.BASE64);
    assertThat(f.get(0).dtype()).isEqualTo(DType.F32);
    assertThat(f.get(0).offset()).isEqualTo(start);
    assertThat(f.get(0).length()).isEqualTo(b64.length());
  }

  @Test
  void findsHexWeightsCutAtAnOddCharacter() {
    byte[] hex = TensorDetectorMeasure.hex(weights(DType.F16, 64 * 1024));
    // starting one hex digit in: the detector must try the other phase
    List<TensorFinding> f =
        new TensorDetector(new SplittableRandom(17)).scan(hex, 1, hex.length - 1);
    assertThat(f).extracting(TensorFinding::carrier).containsExactly(Carrier.HEX);
    assertThat(f.get(0).dtype()).isEqualTo(DType.F16);
  }

  @Test
  void findsBase64WeightsCutInsideAQuantum() {
    byte[] b64 = Base64.getEncoder().encode(weights(DType.BF16, 96 * 1024));
    for (int cut = 1; cut < 4; cut++) {
      List<TensorFinding> f =
          new TensorDetector(new SplittableRandom(17)).scan(b64, cut, b64.length - cut);
      assertThat(f).as("cut %d", cut).extracting(TensorFinding::dtype).containsExactly(DType.BF16);
    }
  }

  @Test
  void poolsShortBase64RunsThatCarryWeightsTogether() {
    // weights split into 2 KiB pieces, each its own JSON string: too short to judge alone
    byte[] w = weights(DType.F32, 64 * 1024);
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < w.length; i += 2048) {
      b.append(i > 0 ? "," : "").append('"');
      b.append(Base64.getEncoder().encodeToString(Arrays.copyOfRange(w, i, i + 2048)));
      b.append('"');
    }
    byte[] json = b.append(']').toString().getBytes(StandardCharsets.US_ASCII);
    assertThat(new TensorDetector(new SplittableRandom(17)).scan(json, 0, json.length))
        .extracting(TensorFinding::carrier)
        .containsExactly(Carrier.BASE64);
  }

  @Test
  void judgesNothingShorterThanMinBytes() {
    byte[] w = weights(DType.F32, TensorDetector.MIN_BYTES - 1);
    assertThat(new TensorDetector(new SplittableRandom(17)).scan(w, 0, w.length)).isEmpty();
    byte[] enough = weights(DType.F32, TensorDetector.MIN_BYTES * 4);
    assertThat(new TensorDetector(new SplittableRandom(17)).scan(enough, 0, enough.length))
        .hasSize(1);
  }

  @Test
  void findingsCarryStreamPositions() {
    byte[] w = weights(DType.F32, 128 * 1024);
    List<TensorFinding> f =
        new TensorDetector(new SplittableRandom(17)).scan(w, 0, w.length, 1L << 40);
    assertThat(f).hasSize(1);
    assertThat(f.get(0).offset()).isEqualTo(1L << 40);
    assertThat(f.get(0).length()).isEqualTo(w.length);
  }

  @Test
  void theScannerFindsTheSameRegionWhateverThePieces() {
    byte[] data = concat(text(200 * 1024 + 5), weights(DType.F16, 512 * 1024), text(150 * 1024));
    SplittableRandom r = new SplittableRandom(5);
    TensorScanner s = new TensorScanner(TensorScanner.DEFAULT_WINDOW, new SplittableRandom(6));
    List<TensorFinding> found = new ArrayList<>();
    for (int i = 0; i < data.length; ) {
      int n = Math.min(data.length - i, 1 + r.nextInt(20_000));
      s.update(data, i, n);
      found.addAll(s.drain());
      i += n;
    }
    s.finish();
    found.addAll(s.drain());
    assertThat(s.position()).isEqualTo(data.length);
    long covered = found.stream().mapToLong(TensorFinding::length).sum();
    assertThat(found).allMatch(f -> f.dtype() == DType.F16);
    assertThat(found.get(0).offset()).isBetween(200L * 1024 + 5 - 4096, 200L * 1024 + 5 + 4096);
    assertThat(covered).isBetween(512L * 1024 - 8192, 512L * 1024 + 8192);
  }

  @Property(tries = 200, seed = "17")
  void neverThrowsAndStaysInBounds(
      @ForAll byte[] junk, @ForAll @IntRange(min = 0, max = 3) int kind) {
    byte[] data =
        switch (kind) {
          case 0 -> junk;
          case 1 -> concat(junk, weights(DType.BF16, 8192), junk);
          case 2 -> Base64.getEncoder().encode(concat(junk, weights(DType.F32, 8192)));
          default -> concat(junk, new byte[8192], junk);
        };
    for (int off = 0; off < Math.min(5, data.length); off++) {
      for (TensorFinding f :
          new TensorDetector(new SplittableRandom(17)).scan(data, off, data.length - off)) {
        assertThat(f.offset()).isBetween(0L, (long) data.length - off - 1);
        assertThat(f.end()).isLessThanOrEqualTo(data.length - off);
      }
    }
  }
}
