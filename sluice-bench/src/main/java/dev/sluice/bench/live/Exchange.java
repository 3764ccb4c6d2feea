package dev.sluice.bench.live;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One request and its response on a keep-alive connection, with when each part of the body arrived:
 * {@code arrivals[i]} ({@code Clock#nanos}) is when the body first reached {@code lengths[i]} bytes
 * (chunked framing removed), in order.
 *
 * @param sentNanos when the request was written
 * @param firstByteNanos when the first byte of the response arrived, or -1
 * @param head status line and headers, without the blank line
 * @param body the body, as far as it arrived
 * @param complete whether the whole body arrived (its length, or the last chunk)
 * @param wireBytes every byte received for this response (head, framing, body)
 */
public record Exchange(
    long sentNanos,
    long firstByteNanos,
    String head,
    byte[] body,
    boolean complete,
    long wireBytes,
    long[] arrivals,
    int[] lengths) {

  /** The value of header {@code name} (case-insensitive), or null. */
  public String header(String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  /** The status code, or -1 when there is no status line. */
  public int status() {
    String[] parts = head.split(" ", 3);
    return parts.length >= 2 && parts[0].startsWith("HTTP/1.") ? Integer.parseInt(parts[1]) : -1;
  }

  /** When the body first reached {@code length} bytes ({@code Clock#nanos}), or -1 if never. */
  public long arrivalOf(long length) {
    int i = Arrays.binarySearch(lengths, (int) Math.min(Integer.MAX_VALUE, length));
    if (i < 0) {
      i = -i - 1;
    }
    return i < lengths.length ? arrivals[i] : -1;
  }

  @Override
  public String toString() {
    String b = new String(body, StandardCharsets.UTF_8);
    return head
        + "\r\n\r\n"
        + (b.length() > 500 ? b.substring(0, 500) + "..." : b)
        + (complete ? "" : " <incomplete>");
  }
}
