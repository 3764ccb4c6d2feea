package dev.sluice.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT stop {@code sluice run}, {@code sluice demo} and {@code sluice edge} by
 * draining, and the process then exits 0 (the JVM's own handling of these signals runs the shutdown
 * hooks and exits 143 or 130, which supervisors such as systemd count as a failure). The node logs
 * that it drains, with the number of open connections. Where the signals cannot be handled ({@link
 * Signals}), a shutdown hook drains instead and the exit code is the JVM's.
 */
final class Termination {

  private static final Logger log = LoggerFactory.getLogger(Termination.class);

  private Termination() {}

  /**
   * Runs {@code drain} once, on SIGTERM or SIGINT (on a thread of its own, the caller waits for the
   * node to stop and returns its exit code), or from a shutdown hook when the JVM exits otherwise.
   */
  static void onSignal(Runnable drain) {
    AtomicBoolean once = new AtomicBoolean();
    for (String signal : new String[] {"TERM", "INT"}) {
      String why =
          Signals.on(
              signal,
              "sluice-sig" + signal.toLowerCase(java.util.Locale.ROOT),
              () -> {
                if (once.compareAndSet(false, true)) {
                  log.info("SIG{} received: draining", signal);
                  drain.run();
                }
              });
      if (why != null) {
        log.warn(
            "SIG{} cannot be handled here ({}); the JVM's shutdown drains instead", signal, why);
      }
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (once.compareAndSet(false, true)) {
                    drain.run();
                  }
                },
                "sluice-shutdown"));
  }
}
