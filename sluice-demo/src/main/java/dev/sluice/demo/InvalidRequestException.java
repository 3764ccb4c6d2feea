package dev.sluice.demo;

/**
 * A chat request the server refuses with {@code 400}: the message and the offending parameter go
 * into OpenAI's error body ({@code invalid_request_error}).
 */
final class InvalidRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The request field at fault, or null when the body as a whole is wrong. */
  private final String param;

  InvalidRequestException(String message, String param) {
    super(message);
    this.param = param;
  }

  String param() {
    return param;
  }
}
