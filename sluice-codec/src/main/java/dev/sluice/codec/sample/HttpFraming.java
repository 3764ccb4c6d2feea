package dev.sluice.codec.sample;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Wraps a body as the whole HTTP/1.1 response its server sends: {@code HTTP/1.1 200 OK}, the
 * family's headers in its order and spelling, then for a stream one {@code Transfer-Encoding:
 * chunked} chunk per write (size in lower-case hex, CRLF, the write, CRLF) and the last chunk
 * {@code 0\r\n\r\n}, or for a JSON body a {@code Content-Length} and the body.
 */
public final class HttpFraming {
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private HttpFraming() {}

  /** The response of {@code stream}, dated {@code epochSecond}. */
  public static byte[] response(FamilyStream stream, long epochSecond) {
    Family family = stream.family();
    ByteArrayOutputStream out = new ByteArrayOutputStream(stream.size() * 5 / 4 + 256);
    StringBuilder head = new StringBuilder("HTTP/1.1 200 OK\r\n");
    for (Family.Header h : family.headers()) {
      String value = h.value();
      if (value.equals(Family.Header.DATE)) {
        value = date(epochSecond);
      } else if (value.equals(Family.Header.FRAMING)) {
        value = family.streaming() ? "chunked" : Integer.toString(stream.size());
      }
      head.append(h.name()).append(": ").append(value).append("\r\n");
    }
    head.append("\r\n");
    out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    if (!family.streaming()) {
      out.writeBytes(stream.body());
      return out.toByteArray();
    }
    for (byte[] w : stream.writes()) {
      out.writeBytes(Integer.toHexString(w.length).getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(CRLF);
      out.writeBytes(w);
      out.writeBytes(CRLF);
    }
    out.writeBytes(LAST_CHUNK);
    return out.toByteArray();
  }

  /** An HTTP date (RFC 9110 IMF-fixdate), e.g. {@code Mon, 24 Nov 2025 16:53:20 GMT}. */
  public static String date(long epochSecond) {
    return HTTP_DATE.format(Instant.ofEpochSecond(epochSecond));
  }
}
