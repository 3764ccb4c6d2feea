package dev.sluice.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads the configuration file {@code sluice run} was started with. Where the signal
 * cannot be handled ({@link Signals}), reloading still works with {@code sluice reload}; a warning
 * says so.
 */
final class Hangup {

  private static final Logger log = LoggerFactory.getLogger(Hangup.class);

  private Hangup() {}

  /** Runs {@code action} on a thread of its own at every SIGHUP. */
  static void onSignal(Runnable action) {
    String why = Signals.on("HUP", "sluice-sighup", action);
    if (why != null) {
      log.warn("SIGHUP cannot be handled here ({}); reload with `sluice reload`", why);
    }
  }
}
