package dev.sluice.ledger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One period during which the ledger is unavailable after an I/O error (a full disk, typically):
 * when it began, what failed, how many appends were refused, and when the writer next tries to
 * repair the files. The retry delay doubles after each failed attempt, from {@code minBackoff} up
 * to {@code maxBackoff}, measured on the injected clock's monotonic reading.
 *
 * <p>Thread-safety: {@link #refuse()} and the readers may be called from any thread; the retry
 * schedule ({@link #due}, {@link #retryFailed}) only by the writer thread.
 */
final class Outage {

  private final long sinceMillis;
  private final String cause;
  private final long maxBackoffNanos;
  private final AtomicLong refused = new AtomicLong();
  private long backoffNanos;
  private long nextRetryNanos;
  private volatile String lastError;
  private long entriesCut = -1;
  private long attempts;

  Outage(
      long sinceMillis,
      long nowNanos,
      Throwable cause,
      long minBackoffNanos,
      long maxBackoffNanos) {
    this.sinceMillis = sinceMillis;
    this.cause = String.valueOf(cause);
    this.lastError = this.cause;
    this.maxBackoffNanos = maxBackoffNanos;
    this.backoffNanos = minBackoffNanos;
    this.nextRetryNanos = nowNanos + minBackoffNanos;
  }

  /** Epoch milliseconds at which the ledger became unavailable. */
  long sinceMillis() {
    return sinceMillis;
  }

  /** The error that began the outage. */
  String cause() {
    return cause;
  }

  /** The error of the latest failed repair attempt, or the cause if none failed yet. */
  String lastError() {
    return lastError;
  }

  /**
   * Notes the bytes past the last acknowledged record that a repair attempt is about to cut from
   * {@code entries.log}. Only the first attempt counts: those are the failed batch's records; later
   * attempts can only find their own failed GAP entry there.
   */
  void noteEntriesCut(long bytes) {
    if (entriesCut < 0) {
      entriesCut = bytes;
    }
  }

  /** Bytes of failed records cut from {@code entries.log}, 0 before the first cut. */
  long entriesCut() {
    return Math.max(0, entriesCut);
  }

  /** Counts one append refused because of this outage. */
  void refuse() {
    refused.incrementAndGet();
  }

  /** Appends refused so far. */
  long refused() {
    return refused.get();
  }

  /** Counts a repair attempt; returns its number in this outage, from 1. */
  long attempt() {
    return ++attempts;
  }

  /** Nanoseconds until the next repair attempt is due; 0 or less when due. */
  long nanosUntilRetry(long nowNanos) {
    return nextRetryNanos - nowNanos;
  }

  /** Records a failed repair attempt and schedules the next one, backing off. */
  void retryFailed(long nowNanos, Throwable error) {
    lastError = String.valueOf(error);
    backoffNanos = backoffNanos > maxBackoffNanos / 2 ? maxBackoffNanos : backoffNanos * 2;
    nextRetryNanos = nowNanos + backoffNanos;
  }
}
