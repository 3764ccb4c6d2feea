package dev.sluice.codec.sample;

import java.nio.charset.StandardCharsets;

/** Server-sent-event framing as servers write it, one event per call, UTF-8. */
final class Sse {
  static final byte[] DONE = data("[DONE]");

  private Sse() {}

  /** {@code data: PAYLOAD} and a blank line, LF line ends. */
  static byte[] data(String payload) {
    return ("data: " + payload + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** {@code event: NAME}, {@code data: PAYLOAD} and a blank line, LF line ends. */
  static byte[] named(String event, String payload) {
    return ("event: " + event + "\ndata: " + payload + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  /** {@code data: PAYLOAD} and a blank line with CRLF line ends (sse-starlette's default). */
  static byte[] dataCrlf(String payload) {
    return ("data: " + payload + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
  }

  /** One NDJSON line. */
  static byte[] line(String json) {
    return (json + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
