package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StoreMathTest {

  @Test
  void aSumThatWouldOverflowSaturates() {
    assertThat(StoreMath.saturatedAdd(3, 4)).isEqualTo(7);
    assertThat(StoreMath.saturatedAdd(Long.MAX_VALUE - 1, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(StoreMath.saturatedAdd(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aGrantExpiresAfterItsTtlButNotAfterItsDay() {
    assertThat(StoreMath.expiresAt(1_000, 500, 10_000)).isEqualTo(1_500);
    assertThat(StoreMath.expiresAt(9_800, 500, 10_000)).isEqualTo(10_000);
    assertThat(StoreMath.expiresAt(1_000, Long.MAX_VALUE, 10_000)).isEqualTo(10_000);
  }

  @Test
  void aSetCountsAsSentAtMostWhatItWasGranted() {
    assertThat(StoreMath.sentOf(100, 30)).isEqualTo(30);
    assertThat(StoreMath.unsentOf(100, 30)).isEqualTo(70);
    assertThat(StoreMath.sentOf(100, 130)).isEqualTo(100);
    assertThat(StoreMath.unsentOf(100, 130)).isZero();
  }
}
