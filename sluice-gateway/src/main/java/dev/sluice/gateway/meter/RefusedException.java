package dev.sluice.gateway.meter;

/**
 * Fails the write promise of bytes the meter refused. Stackless: it is an outcome, not a bug, and
 * may happen per write on a refused connection.
 */
public final class RefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  static final RefusedException INSTANCE = new RefusedException();

  private RefusedException() {
    super("egress refused by the meter", null, false, false);
  }
}
