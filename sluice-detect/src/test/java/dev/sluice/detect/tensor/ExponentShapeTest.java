package dev.sluice.detect.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.detect.tensor.ExponentShape.Reading;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link ExponentShape#mayHold}, the quick look {@link LayoutGuess#mayHoldFloats} takes at a
 * sample, answers what the full shape's zero and plausible fractions answer, and {@link
 * LaneHistogram#laneTotal} counts each lane's bytes, on seeded histograms of float-like,
 * zero-heavy, sparse and uniform bytes.
 */
class ExponentShapeTest {

  @Property(tries = 300, seed = "1717")
  void mayHoldAnswersAsTheFullShape(
      @ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int kind, @ForAll boolean pair) {
    Random r = new Random(seed);
    byte[] bytes = new byte[1 + r.nextInt(20_000)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] =
          (byte)
              switch (kind) {
                case 0 -> r.nextInt(256);
                case 1 -> r.nextBoolean() ? 0 : 0x3c + r.nextInt(4) + (r.nextBoolean() ? 0x80 : 0);
                case 2 -> r.nextInt(10) == 0 ? r.nextInt(256) : 0x80;
                default -> 0x34 + r.nextInt(0x10) + (r.nextInt(8) == 0 ? r.nextInt(0x40) : 0);
              };
    }
    LaneHistogram h = new LaneHistogram();
    int off = r.nextInt(bytes.length);
    h.add(bytes, 0, off, seed & 7);
    h.add(bytes, off, bytes.length - off, (seed & 7) + off);
    int[] counts = new int[4];
    for (int k = 0; k < 4; k++) {
      for (int n : h.lane(k)) {
        counts[k] += n;
      }
      assertThat(h.laneTotal(k)).as("lane " + k).isEqualTo(counts[k]);
    }
    double min = r.nextBoolean() ? LayoutGuess.MAY_HOLD : r.nextDouble();
    for (int p = 0; p < (pair ? 2 : 4); p++) {
      int[] a = h.lane(p);
      int[] b = pair ? h.lane(p + 2) : null;
      Reading reading = pair ? Reading.SIGN_EXP5 : Reading.SIGN_EXP7;
      ExponentShape s = ExponentShape.of(a, b, reading);
      boolean expected = s.zeroFraction() <= ExponentShape.MAX_ZERO && s.plausible() >= min;
      long all = (long) counts[p] + (pair ? counts[p + 2] : 0);
      assertThat(ExponentShape.mayHold(a, b, all, reading, min))
          .as("lane " + p + " " + reading)
          .isEqualTo(expected);
    }
  }
}
