package dev.sluice.app;

/** The node could not start; the message is one clear line for the operator. */
public final class NodeStartException extends Exception {
  private static final long serialVersionUID = 1L;

  public NodeStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
