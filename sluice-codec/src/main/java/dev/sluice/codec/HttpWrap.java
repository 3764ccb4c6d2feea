package dev.sluice.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Wraps a response body the way a gateway sends it to a client: an HTTP/1.1 head and the body in
 * chunks, one per event (an SSE event up to its blank line, or an NDJSON line), as a server that
 * writes each event at once does. The trainer tunes on such streams too, so the codec knows HTTP
 * heads and chunked framing before a live stream shows them.
 */
final class HttpWrap {
  private HttpWrap() {}

  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  static byte[] chunked(byte[] body, SplittableRandom rnd) {
    boolean sse = !(body.length > 0 && body[0] == '{');
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + body.length / 8 + 256);
    StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
    String date =
        DAYS[rnd.nextInt(7)]
            + String.format(", %02d ", 1 + rnd.nextInt(28))
            + MONTHS[rnd.nextInt(12)]
            + String.format(
                " 2026 %02d:%02d:%02d GMT", rnd.nextInt(24), rnd.nextInt(60), rnd.nextInt(60));
    switch (rnd.nextInt(3)) {
      case 0 -> head.append("date: ").append(date).append("\r\nserver: uvicorn\r\n");
      case 1 -> head.append("Date: ").append(date).append("\r\n");
      default -> {}
    }
    head.append(
        sse
            ? "content-type: text/event-stream; charset=utf-8\r\n"
            : "content-type: application/x-ndjson\r\n");
    if (sse && rnd.nextBoolean()) {
      head.append("cache-control: no-cache\r\n");
    }
    head.append("transfer-encoding: chunked\r\n\r\n");
    out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    int i = 0;
    while (i < body.length) {
      int j = sse ? eventEnd(body, i) : lineEnd(body, i);
      out.writeBytes((Integer.toHexString(j - i) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, i, j - i);
      out.writeBytes(CRLF);
      i = j;
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static final byte[] CRLF = {'\r', '\n'};

  private static int lineEnd(byte[] b, int i) {
    while (i < b.length && b[i] != '\n') {
      i++;
    }
    return Math.min(b.length, i + 1);
  }

  /** The end of the SSE event at {@code i}: after its blank line (LF, CRLF or CR line ends). */
  private static int eventEnd(byte[] b, int i) {
    boolean lineEmpty = true;
    while (i < b.length) {
      byte c = b[i++];
      if (c == '\n' || c == '\r') {
        if (c == '\r' && i < b.length && b[i] == '\n') {
          i++;
        }
        if (lineEmpty) {
          return i;
        }
        lineEmpty = true;
      } else {
        lineEmpty = false;
      }
    }
    return b.length;
  }
}
