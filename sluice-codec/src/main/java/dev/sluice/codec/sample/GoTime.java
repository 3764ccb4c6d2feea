package dev.sluice.codec.sample;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Go's {@code time.Time} JSON form as Ollama writes {@code created_at}: RFC 3339 with nanoseconds,
 * UTC as {@code Z}, trailing zeros of the fraction trimmed and no fraction at all when it is zero
 * (Go's {@code RFC3339Nano} layout, {@code "2006-01-02T15:04:05.999999999Z07:00"}).
 */
final class GoTime {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private GoTime() {}

  static String rfc3339Nano(long epochNanos) {
    long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
    int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
    StringBuilder b = new StringBuilder(SECONDS.format(Instant.ofEpochSecond(seconds)));
    if (nanos != 0) {
      String fraction = String.format("%09d", nanos);
      int end = fraction.length();
      while (fraction.charAt(end - 1) == '0') {
        end--;
      }
      b.append('.').append(fraction, 0, end);
    }
    return b.append('Z').toString();
  }
}
