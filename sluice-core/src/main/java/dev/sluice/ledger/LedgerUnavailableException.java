package dev.sluice.ledger;

/**
 * The ledger cannot accept or make durable an entry: it is closed, or it failed on an I/O error.
 * Appends complete exceptionally with this; callers must fail closed (the event did not happen).
 */
public final class LedgerUnavailableException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public LedgerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
