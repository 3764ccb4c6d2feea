package dev.sluice.gateway;

/** A listener could not start (port taken, bad TLS files); the message is one clear line. */
public final class GatewayStartException extends Exception {
  private static final long serialVersionUID = 1L;

  public GatewayStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
