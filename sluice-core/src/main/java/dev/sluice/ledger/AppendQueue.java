package dev.sluice.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-off from appending threads to the one writer thread. Appenders block while it is
 * full (back-pressure, never unbounded memory); the writer takes everything queued, up to one batch
 * of bytes, in one step. Closing it is atomic with adding, so no append is accepted after close and
 * silently left behind.
 *
 * <p>Thread-safe: one lock guards the ring.
 */
final class AppendQueue {

  /** One encoded entry waiting to be written, and the future to complete with its index. */
  record Pending(byte[] payload, CompletableFuture<Long> done) {
    int recordSize() {
      return EntriesFile.recordSize(payload.length);
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final Pending[] ring;
  private int head;
  private int count;
  private boolean closed;
  private boolean woken;

  AppendQueue(int capacity) {
    this.ring = new Pending[capacity];
  }

  /**
   * Adds {@code p}, waiting while the queue is full. Returns false, without adding, if the queue is
   * or becomes closed.
   */
  boolean put(Pending p) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (count == ring.length && !closed) {
        notFull.await();
      }
      if (closed) {
        return false;
      }
      ring[(head + count) % ring.length] = p;
      if (count++ == 0) {
        notEmpty.signal();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves queued entries to {@code out} in order, stopping before the one that would make their
   * records exceed {@code maxBytes} (but taking at least one). Waits up to {@code timeoutNanos} for
   * the first, or until {@link #wake()}. Returns false once the queue is closed and empty: the
   * writer's signal to stop.
   */
  boolean drain(List<Pending> out, int maxBytes, long timeoutNanos) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeoutNanos;
      while (count == 0) {
        if (closed) {
          return false;
        }
        if (nanos <= 0 || woken) {
          woken = false;
          return true;
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      int bytes = 0;
      while (count > 0) {
        Pending p = ring[head];
        if (!out.isEmpty() && bytes + p.recordSize() > maxBytes) {
          break;
        }
        out.add(p);
        bytes += p.recordSize();
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
      }
      notFull.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Ends a waiting (or the next) {@link #drain} early, so the writer looks at its state again. */
  void wake() {
    lock.lock();
    try {
      woken = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Accepts no more entries; those already queued are still drained. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the queue and removes everything still in it, for failing. */
  List<Pending> closeAndTakeAll() {
    lock.lock();
    try {
      closed = true;
      List<Pending> out = new ArrayList<>(count);
      while (count > 0) {
        out.add(ring[head]);
        ring[head] = null;
        head = (head + 1) % ring.length;
        count--;
      }
      notEmpty.signalAll();
      notFull.signalAll();
      return out;
    } finally {
      lock.unlock();
    }
  }
}
