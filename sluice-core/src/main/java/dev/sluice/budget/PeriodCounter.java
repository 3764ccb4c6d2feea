package dev.sluice.budget;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes counted in one period {@code [start, end)} of one window of one node: {@code spent}
 * (committed against the cap: charged plus granted escrow, minus escrow returned) and {@code sent}
 * (actually written, known when escrow is settled). Thread-safe.
 */
final class PeriodCounter {

  final long start;
  final long end;
  final AtomicLong spent;
  final AtomicLong sent;

  PeriodCounter(long start, long end, long spent, long sent) {
    this.start = start;
    this.end = end;
    this.spent = new AtomicLong(spent);
    this.sent = new AtomicLong(sent);
  }

  boolean contains(long millis) {
    return millis >= start && millis < end;
  }

  /**
   * Adds {@code n} to spent if the result stays within {@code cap} ({@link BudgetNode#NO_LIMIT}:
   * within {@link Long#MAX_VALUE}). Lock-free; never overflows.
   */
  boolean tryAdd(long n, long cap) {
    long limit = cap == BudgetNode.NO_LIMIT ? Long.MAX_VALUE : cap;
    for (; ; ) {
      long s = spent.get();
      // s may exceed a cap lowered by a config change; limit - s is then negative and refuses.
      if (n > limit - s) {
        return false;
      }
      if (spent.compareAndSet(s, s + n)) {
        return true;
      }
    }
  }

  /** Subtracts {@code n} from spent, never below zero. */
  void subtractSpent(long n) {
    spent.getAndUpdate(s -> s > n ? s - n : 0);
  }

  /** Adds {@code n} to sent, saturating at {@link Long#MAX_VALUE}. */
  void addSent(long n) {
    sent.getAndUpdate(s -> s > Long.MAX_VALUE - n ? Long.MAX_VALUE : s + n);
  }
}
