package dev.sluice.ledger;

/** A signed note, key or checkpoint that is malformed or whose signature does not verify. */
public final class InvalidNoteException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidNoteException(String message) {
    super(message);
  }
}
