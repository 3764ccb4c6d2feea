package dev.sluice.ledger;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Bounded polling for a condition another thread makes true (the ledger writer's repair): checks it
 * every millisecond, at most {@link #MAX_POLLS} times (about ten seconds), then fails naming what
 * it waited for. Time in the code under test comes from a manual clock; this only bounds how long
 * the test waits for the writer thread.
 */
public final class Polling {

  static final int MAX_POLLS = 10_000;

  private Polling() {}

  public static void await(String what, BooleanSupplier condition) {
    for (int i = 0; i < MAX_POLLS; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      LockSupport.parkNanos(1_000_000L);
    }
    throw new AssertionError("waited in vain for: " + what);
  }
}
