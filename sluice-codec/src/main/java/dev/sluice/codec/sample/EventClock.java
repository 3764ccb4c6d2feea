package dev.sluice.codec.sample;

import java.util.SplittableRandom;

/**
 * The simulated wall clock of one generated stream: it starts at the options' {@code created}
 * second plus a random fraction, and each event moves it on by a jittered interval (15 to 40 ms,
 * drawn to the nanosecond), the pace of a model writing tokens. Servers that stamp each event with
 * the time (Ollama's {@code created_at}, llama.cpp's and TGI's per-chunk {@code created}) read it;
 * nothing here reads a real clock, so the same seed gives the same timestamps.
 */
final class EventClock {
  static final long MIN_INTERVAL_NANOS = 15_000_000L;
  static final long MAX_INTERVAL_NANOS = 40_000_000L;

  private final SplittableRandom random;
  private final long startNanos;
  private long nowNanos;

  EventClock(long createdEpochSecond, SplittableRandom random) {
    this.random = random;
    this.startNanos = createdEpochSecond * 1_000_000_000L + random.nextLong(1_000_000_000L);
    this.nowNanos = startNanos;
  }

  /** Nanoseconds since the epoch, now. */
  long epochNanos() {
    return nowNanos;
  }

  /** Whole seconds since the epoch, now. */
  long epochSecond() {
    return Math.floorDiv(nowNanos, 1_000_000_000L);
  }

  /** Nanoseconds since the stream started. */
  long elapsedNanos() {
    return nowNanos - startNanos;
  }

  /** Moves on by one event's interval; returns it in nanoseconds. */
  long tick() {
    long step = MIN_INTERVAL_NANOS + random.nextLong(MAX_INTERVAL_NANOS - MIN_INTERVAL_NANOS);
    nowNanos += step;
    return step;
  }

  /** Moves on by {@code nanos}. */
  void advance(long nanos) {
    nowNanos += nanos;
  }
}
