package dev.sluice.detect.compressibility;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** How the probe samples and counts, on synthetic streams. */
class CompressibilityProbeTest {

  private static final byte[] TEXT =
      "The quick brown fox jumps over the lazy dog, and then it sleeps. "
          .repeat(2000)
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  @Test
  void entropyOfOneByteIsZeroAndOfAllByteValuesEvenlyIsTheWholeBlock() {
    byte[] same = new byte[4096];
    assertThat(EntropyEstimate.compressedBytes(same, 0, same.length)).isZero();
    byte[] all = new byte[4096];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    assertThat(EntropyEstimate.compressedBytes(all, 0, all.length)).isEqualTo(4096);
    byte[] two = new byte[4096];
    Arrays.fill(two, 2048, 4096, (byte) 1);
    assertThat(EntropyEstimate.compressedBytes(two, 0, two.length)).isEqualTo(512); // 1 bit each
  }

  @Test
  void everyByteIsCountedOnceWithTheEstimateOfItsPeriod() {
    long[] sums = new long[2];
    CompressibilityProbe p = new CompressibilityProbe(new SplittableRandom(1));
    byte[] random = new byte[1 << 20];
    new SplittableRandom(2).nextBytes(random);
    feed(p, random, 1000, sums);
    assertThat(p.pending()).isLessThan(random.length);
    p.finish((r, c) -> add(sums, r, c));
    assertThat(sums[0]).isEqualTo(random.length);
    assertThat((double) sums[1] / sums[0]).isGreaterThan(0.98);
  }

  @Test
  void aShortStreamIsSampledWholeAtItsEnd() {
    long[] sums = new long[2];
    CompressibilityProbe p = new CompressibilityProbe(new SplittableRandom(1));
    byte[] small = Arrays.copyOf(TEXT, 300);
    feed(p, small, 300, sums);
    assertThat(sums[0]).isZero(); // the window is not full: waits
    assertThat(p.pending()).isEqualTo(300);
    p.finish((r, c) -> add(sums, r, c));
    assertThat(sums[0]).isEqualTo(300);
    assertThat(sums[1]).isBetween(100L, 250L);
  }

  @Test
  void textPlacedAtFixedOffsetsDoesNotHideRandomBytes() {
    // 4 KiB of text at the start of every 64 KiB, random bytes in between: a probe that looked at
    // fixed offsets could see only text; with chunks drawn at random it sees mostly random bytes
    int period = 64 << 10;
    int text = 4 << 10;
    byte[] mixed = new byte[16 << 20];
    SplittableRandom r = new SplittableRandom(3);
    for (int off = 0; off < mixed.length; off += period) {
      System.arraycopy(TEXT, 0, mixed, off, text);
      byte[] noise = new byte[period - text];
      r.nextBytes(noise);
      System.arraycopy(noise, 0, mixed, off + text, noise.length);
    }
    long[] sums = new long[2];
    CompressibilityProbe p = new CompressibilityProbe(new SplittableRandom(4));
    feed(p, mixed, 8192, sums);
    p.finish((raw, c) -> add(sums, raw, c));
    assertThat((double) sums[1] / sums[0]).isGreaterThan(0.85);
  }

  @Test
  void theEstimateFollowsTheShareOfRandomChunks() {
    // a stream of zeros with one random chunk in every 64: the estimate is near 1/64 of the
    // random chunks' ratio, i.e. the sampled share of random chunks matches their share
    byte[] data = new byte[32 << 20];
    SplittableRandom r = new SplittableRandom(6);
    byte[] noise = new byte[CompressibilityProbe.CHUNK];
    for (int off = 0; off < data.length; off += 64 * CompressibilityProbe.CHUNK) {
      r.nextBytes(noise);
      System.arraycopy(noise, 0, data, off + 32 * CompressibilityProbe.CHUNK, noise.length);
    }
    long[] sums = new long[2];
    CompressibilityProbe p = new CompressibilityProbe(new SplittableRandom(8));
    feed(p, data, 16 << 10, sums);
    p.finish((raw, c) -> add(sums, raw, c));
    assertThat(sums[0]).isEqualTo(data.length);
    // zeros cost nothing; a window of 16 chunks holds about 1/4 random chunk, which costs
    // 8 bits a byte: the order-0 estimate of such windows is a few percent of the raw size
    assertThat((double) sums[1] / sums[0]).isBetween(0.005, 0.15);
  }

  private static void feed(CompressibilityProbe p, byte[] data, int write, long[] sums) {
    for (int off = 0; off < data.length; off += write) {
      int base = off;
      p.accept(
          (from, dst, at, len) -> System.arraycopy(data, base + from, dst, at, len),
          Math.min(write, data.length - off),
          (r, c) -> add(sums, r, c));
    }
  }

  private static void add(long[] sums, long raw, long compressed) {
    sums[0] += raw;
    sums[1] += compressed;
  }
}
