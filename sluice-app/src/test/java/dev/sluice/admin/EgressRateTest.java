package dev.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.ManualClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EgressRateTest {

  final ManualClock clock = ManualClock.at("2026-11-22T10:00:00Z");
  final AtomicLong egress = new AtomicLong();
  final EgressRate rate = new EgressRate(clock, egress::get, Duration.ofMinutes(1));

  @Test
  void zeroUntilTwoSamplesSpanSomeTime() {
    assertThat(rate.bytesPerSecond()).isZero();
    egress.set(1_000);
    rate.sample();
    assertThat(rate.bytesPerSecond()).isZero();
    egress.set(5_000);
    rate.sample(); // same instant: replaces the first sample
    assertThat(rate.bytesPerSecond()).isZero();
  }

  @Test
  void theRateIsBytesOverTimeBetweenTheOldestAndNewestSampleInTheWindow() {
    rate.sample();
    for (int i = 0; i < 12; i++) {
      clock.advance(Duration.ofSeconds(5));
      egress.addAndGet(5_000);
      rate.sample();
    }
    assertThat(rate.bytesPerSecond()).isEqualTo(1_000.0);

    // Traffic doubles for the next half minute: the last minute averages 1500 B/s.
    for (int i = 0; i < 6; i++) {
      clock.advance(Duration.ofSeconds(5));
      egress.addAndGet(10_000);
      rate.sample();
    }
    assertThat(rate.bytesPerSecond()).isEqualTo(1_500.0);
  }

  @Test
  void aQuietMinuteBringsTheRateBackToZero() {
    rate.sample();
    clock.advance(Duration.ofSeconds(10));
    egress.addAndGet(10_000);
    rate.sample();
    assertThat(rate.bytesPerSecond()).isEqualTo(1_000.0);

    clock.advance(Duration.ofSeconds(60));
    rate.sample();
    // The sample at 10 s is exactly one window old and still counts: nothing moved since.
    assertThat(rate.bytesPerSecond()).isZero();
  }

  @Test
  void aLongGapBetweenSamplesKeepsOnlyTheNewest() {
    rate.sample();
    clock.advance(Duration.ofMinutes(5));
    egress.addAndGet(1_000_000);
    rate.sample();
    assertThat(rate.bytesPerSecond()).isZero();
    clock.advance(Duration.ofSeconds(2));
    egress.addAndGet(2_000);
    rate.sample();
    assertThat(rate.bytesPerSecond()).isEqualTo(1_000.0);
  }
}
