package dev.sluice.ledger;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The one textual form of ledger timestamps: ISO-8601 UTC with exactly three fraction digits, e.g.
 * {@code 2026-11-22T21:31:50.123Z}. Fixed width so that formatting is canonical and sorts as text.
 * Thread-safe: stateless.
 */
public final class LedgerTime {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private LedgerTime() {}

  /** Formats epoch milliseconds. */
  public static String format(long epochMillis) {
    return FORMAT.format(Instant.ofEpochMilli(epochMillis));
  }

  /** Parses exactly the form {@link #format} produces. */
  public static long parse(String text) {
    long millis;
    try {
      millis = Instant.from(FORMAT.parse(text)).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "not a ledger timestamp (uuuu-MM-ddTHH:mm:ss.SSSZ): " + text, e);
    }
    if (!format(millis).equals(text)) {
      throw new IllegalArgumentException("not a canonical ledger timestamp: " + text);
    }
    return millis;
  }
}
