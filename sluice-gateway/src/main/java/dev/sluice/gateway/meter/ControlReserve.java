package dev.sluice.gateway.meter;

import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node-local allowance that pays for denial responses when the budget store cannot grant the
 * control allowance's escrow: the store is unreachable, which is exactly when a client must be told
 * {@code 503} and which store failed. Without it a node that fails closed could only close
 * connections without a word.
 *
 * <p>Why this does not weaken the guarantees: the responses it pays for are written by the gateway
 * itself (status line, headers, a JSON error naming the store), never by anything inside the site,
 * so they cannot carry data out; they are bounded per node and per day by {@code
 * budgets.control_allowance}, the same figure as the shared control cap; and every byte is still
 * recorded as control bytes in the connection's ledger entry and in {@code
 * sluice_control_bytes_total}. It is only used after the control account's own refill came back
 * unavailable. Thread-safe and lock-free.
 */
public final class ControlReserve {

  private final long capPerDay;
  private final WindowCalendar calendar;
  private final AtomicLong used = new AtomicLong();
  private volatile long periodEnd = Long.MIN_VALUE;

  /**
   * @param capPerDay bytes per local day this node may pay from the reserve
   * @param calendar the site's calendar (days start at local midnight)
   */
  public ControlReserve(long capPerDay, WindowCalendar calendar) {
    if (capPerDay < 0) {
      throw new IllegalArgumentException("capPerDay must be >= 0, got " + capPerDay);
    }
    this.capPerDay = capPerDay;
    this.calendar = calendar;
  }

  /** Charges {@code n} bytes at {@code now} (epoch ms); false if today's reserve cannot pay. */
  public boolean tryCharge(long n, long now) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    rollIfNeeded(now);
    for (; ; ) {
      long u = used.get();
      if (n > capPerDay - u) {
        return false;
      }
      if (used.compareAndSet(u, u + n)) {
        return true;
      }
    }
  }

  /** Bytes paid from the reserve in the current day. */
  public long used() {
    return used.get();
  }

  private void rollIfNeeded(long now) {
    if (now < periodEnd) {
      return;
    }
    synchronized (this) {
      if (now >= periodEnd) {
        used.set(0);
        periodEnd = calendar.periodEnd(Window.DAY, now);
      }
    }
  }
}
