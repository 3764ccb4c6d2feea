package dev.sluice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CasLoopTest {

  @Test
  void backOffWidensThenNarrowsForAnOperationThatKeepsLosing() {
    assertThat(CasLoop.backoffMicros(1)).as("the second attempt goes at once").isZero();
    long[] window = {0, 0, 2_000, 4_000, 8_000, 16_000, 32_000, 32_000, 8_000, 8_000};
    for (int n = 2; n < 40; n++) {
      long w = window[Math.min(n, window.length - 1)];
      for (int i = 0; i < 200; i++) {
        assertThat(CasLoop.backoffMicros(n)).as("after loss %d", n).isBetween(200L, 200 + w - 1);
      }
    }
  }
}
