package dev.sluice.admin;

import dev.sluice.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The site's egress rate over the last minute, for the "time to exfiltrate at the current rate"
 * figure. A sampler calls {@link #sample()} every few seconds; each sample reads the cumulative
 * egress counter and the clock's monotonic reading. The rate is the bytes between the oldest and
 * the newest sample within the window, divided by the time between them.
 *
 * <p>Sampling, not per-write bookkeeping: the data plane only bumps its {@code LongAdder}, and all
 * of this runs on the admin side. Tests drive it with a {@code ManualClock}, calling {@link
 * #sample()} themselves. Display only: no budget decision reads it, so floating point is fine.
 * Thread-safe.
 */
public final class EgressRate {

  /** How far back the rate looks. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  /** How often the admin server samples in production. */
  public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);

  private record Sample(long nanos, long bytes) {}

  private final Clock clock;
  private final LongSupplier egressBytes;
  private final long windowNanos;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  /**
   * @param egressBytes the cumulative egress counter, e.g. {@code GatewayStats::egressBytes}
   */
  public EgressRate(Clock clock, LongSupplier egressBytes, Duration window) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.egressBytes = Objects.requireNonNull(egressBytes, "egressBytes");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
    this.windowNanos = window.toNanos();
  }

  /** Reads the counter now and forgets samples that fell out of the window. */
  public synchronized void sample() {
    long now = clock.nanos();
    long bytes = egressBytes.getAsLong();
    Sample last = samples.peekLast();
    if (last != null && last.nanos() == now) {
      samples.removeLast();
    }
    samples.addLast(new Sample(now, bytes));
    while (samples.size() > 1 && now - samples.peekFirst().nanos() > windowNanos) {
      samples.removeFirst();
    }
  }

  /** Bytes per second over the samples in the window; 0 until two samples span some time. */
  public synchronized double bytesPerSecond() {
    if (samples.size() < 2) {
      return 0;
    }
    Sample first = samples.peekFirst();
    Sample last = samples.peekLast();
    long elapsed = last.nanos() - first.nanos();
    long bytes = last.bytes() - first.bytes();
    if (elapsed <= 0 || bytes <= 0) {
      return 0;
    }
    return bytes * 1e9 / elapsed;
  }
}
