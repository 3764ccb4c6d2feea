package dev.sluice.detect.compressibility;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Estimates the compressed size of one byte stream (a connection's egress) from samples, cheaply
 * enough to run on every connection of every listener.
 *
 * <p>The stream is cut into periods of {@link #PERIOD} bytes. In each period a window of {@link
 * #SAMPLE} bytes is copied aside (at offset 0 in the first period, so that a short response is
 * sampled whole, and at a random offset in later ones, so that a sender cannot place text where the
 * samples fall and packed bytes elsewhere) and estimated by {@link EntropyEstimate}; every byte of
 * the period is then counted as raw and charged the window's ratio as compressed. Bytes of a period
 * whose window is not complete yet wait (at most one period, {@link #pending()}); {@link #finish}
 * counts them with the part of the window seen, or the previous period's ratio if none was. So 1/16
 * of the bytes are looked at, and the two counters move together: their ratio is the estimate's,
 * whatever the counters' sum.
 *
 * <p>Cost: one copy and one histogram increment per sampled byte, 256 table look-ups per window, a
 * few comparisons per write. Not thread-safe: one instance per connection, used on its event loop.
 */
public final class CompressibilityProbe {

  /** Bytes estimated per period. */
  public static final int SAMPLE = 4096;

  /** Bytes per period: one in {@code PERIOD / SAMPLE} bytes is sampled. */
  public static final int PERIOD = 64 * 1024;

  /**
   * Where counted bytes go: {@code raw} bytes passed, estimated to compress to {@code compressed}.
   */
  @FunctionalInterface
  public interface Sink {
    void add(long raw, long compressed);
  }

  /**
   * Copies {@code len} bytes from offset {@code from} of the bytes being accepted into {@code dst}.
   */
  @FunctionalInterface
  public interface Source {
    void copy(int from, byte[] dst, int dstOffset, int len);
  }

  private final SplittableRandom random;
  private final byte[] sample = new byte[SAMPLE];
  private long periods;
  private int position = PERIOD; // in the current period; PERIOD: a new one starts
  private int windowStart;
  private int windowFill;
  private boolean estimated;
  private int estimate; // compressed bytes of the current period's full window
  private int previous = -1; // the previous period's estimate per SAMPLE bytes; -1 none
  private long pending;

  /** A probe whose sample windows are placed by {@code random}. */
  public CompressibilityProbe(SplittableRandom random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Counts {@code len} bytes read through {@code src}, adding what is settled to {@code sink}. */
  public void accept(Source src, int len, Sink sink) {
    int done = 0;
    while (done < len) {
      if (position == PERIOD) {
        startPeriod();
      }
      int take = Math.min(len - done, PERIOD - position);
      int from = Math.max(position, windowStart + windowFill);
      int to = Math.min(position + take, windowStart + SAMPLE);
      if (from < to) {
        src.copy(done + from - position, sample, from - windowStart, to - from);
        windowFill += to - from;
      }
      if (estimated) {
        sink.add(take, scale(take, estimate, SAMPLE));
      } else {
        pending += take;
        if (windowFill == SAMPLE) {
          estimate = EntropyEstimate.compressedBytes(sample, 0, SAMPLE);
          estimated = true;
          sink.add(pending, scale(pending, estimate, SAMPLE));
          pending = 0;
        }
      }
      position += take;
      done += take;
    }
  }

  /**
   * Counts the bytes still waiting for their period's window (the stream ended, or its bytes are
   * now someone else's): with the part of the window seen, or the previous period's ratio.
   */
  public void finish(Sink sink) {
    if (pending == 0) {
      return;
    }
    if (windowFill > 0) {
      int part = EntropyEstimate.compressedBytes(sample, 0, windowFill);
      sink.add(pending, scale(pending, part, windowFill));
    } else {
      // Only in a second or later period (the first one's window starts at its first byte), so
      // the previous period's window was complete. Without one, count the bytes as incompressible.
      sink.add(pending, previous < 0 ? pending : scale(pending, previous, SAMPLE));
    }
    pending = 0;
    position = PERIOD;
    periods = 0; // the next bytes are a new stream: its first window at its first byte
    previous = -1;
    estimated = false;
    windowFill = 0;
  }

  /** Bytes accepted whose estimate is not known yet (at most {@link #PERIOD}). */
  public long pending() {
    return pending;
  }

  private void startPeriod() {
    if (estimated) {
      previous = estimate;
    }
    windowStart = periods == 0 ? 0 : random.nextInt(PERIOD - SAMPLE + 1);
    periods++;
    position = 0;
    windowFill = 0;
    estimated = false;
  }

  /** {@code n * num / den}, rounded up: never more than {@code n} as {@code num <= den}. */
  private static long scale(long n, int num, int den) {
    return (Math.multiplyExact(n, num) + den - 1) / den;
  }
}
