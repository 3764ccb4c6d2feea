package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class ChunkPolicyTest {

  private final ChunkPolicy p = new ChunkPolicy(64 << 10, 4 << 20);

  @Test
  void anEighthOfWhatRemainsClampedToTheChunkRange() {
    assertThat(p.amount(0, 1L << 40)).isEqualTo(4 << 20);
    assertThat(p.amount(0, 8L << 20)).isEqualTo(1 << 20);
    assertThat(p.amount(0, 1 << 19)).isEqualTo((1 << 19) / 8); // below 8 x min: an eighth
    assertThat(p.amount(10, 5)).isEqualTo(-1);
    assertThat(p.amount(5_000_000, 1L << 40)).isEqualTo(5_000_000);
  }

  @Test
  void aWishGetsMoreWhilePlentyRemainsButNeverMoreThanAnEighth() {
    assertThat(p.amount(0, 64L << 20, 1L << 40)).isEqualTo(64L << 20);
    assertThat(p.amount(0, 64L << 20, 80L << 20)).isEqualTo(10L << 20);
    assertThat(p.amount(1, 64L << 20, 100)).isEqualTo(12);
  }

  @Property(seed = "20261213", tries = 2000)
  void aGrantFitsWhatRemainsAndCoversWhatIsNeeded(
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long remaining,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long need,
      @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long want) {
    long a = p.amount(need, want, remaining);
    if (need > remaining) {
      assertThat(a).isEqualTo(-1);
      return;
    }
    assertThat(a).isBetween(need, remaining);
    // A wish never takes more than an eighth of what remains, unless the need does.
    assertThat(a)
        .isLessThanOrEqualTo(Math.max(need, Math.max(remaining / 8, Math.min(remaining, 4 << 20))));
    // The wish never turns a grant into a refusal.
    assertThat(p.amount(need, 0, remaining)).isNotNegative();
  }
}
