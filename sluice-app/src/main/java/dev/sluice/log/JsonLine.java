package dev.sluice.log;

import dev.sluice.gateway.evidence.LogValue;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

/**
 * One log line in JSON, the format of {@code logging.format: json}:
 *
 * <pre>
 * {"time":"2026-12-06T13:45:00.123Z","level":"INFO","logger":"sluice.connection",
 *  "thread":"sluice-io-1","message":"listener=api ...","listener":"api","bytes_out":5120,...}
 * </pre>
 *
 * <p>Always one line of printable ASCII ending in {@code \n}, whatever the message holds: {@code
 * "}, {@code \}, LF, CR and TAB are escaped as in JSON ({@code \"}, {@code \\}, {@code \n}, {@code
 * \r}, {@code \t}), every other character outside {@code 0x20..0x7e} as {@code \}{@code uXXXX} (the
 * UTF-16 code unit, so a lone surrogate stays a valid escape). Keys in this order: {@code time}
 * (UTC, milliseconds), {@code level}, {@code logger}, {@code thread}, {@code message}, then the
 * event's key-value pairs in the order they were added (a {@link Number} or {@link Boolean} value
 * as a JSON number or boolean, {@code null} as {@code null}, anything else as its string; a pair
 * whose key is one of the five above, or repeats an earlier key, is left out so that no key appears
 * twice), then {@code stack_trace} (the throwable as {@link Throwable#printStackTrace} prints it,
 * one string) when there is one. Stateless and thread-safe.
 */
public final class JsonLine {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private static final List<String> FIXED =
      List.of("time", "level", "logger", "thread", "message", "stack_trace");

  private JsonLine() {}

  /** The line of one event, {@code \n} included. */
  public static String of(
      long epochMillis,
      Level level,
      String logger,
      String thread,
      String message,
      List<KeyValuePair> fields,
      Throwable thrown) {
    StringBuilder b = new StringBuilder(160 + (message == null ? 0 : message.length()));
    b.append("{\"time\":\"").append(TIME.format(Instant.ofEpochMilli(epochMillis))).append('"');
    b.append(",\"level\":\"").append(level.name()).append('"');
    b.append(",\"logger\":");
    string(b, logger);
    b.append(",\"thread\":");
    string(b, thread);
    b.append(",\"message\":");
    string(b, message);
    if (fields != null) {
      java.util.Set<String> seen = new java.util.HashSet<>(FIXED);
      for (KeyValuePair kv : fields) {
        if (kv.key == null || !seen.add(kv.key)) {
          continue;
        }
        b.append(',');
        string(b, kv.key);
        b.append(':');
        value(b, kv.value);
      }
    }
    if (thrown != null) {
      StringWriter trace = new StringWriter();
      thrown.printStackTrace(new PrintWriter(trace));
      b.append(",\"stack_trace\":");
      string(b, trace.toString());
    }
    return b.append("}\n").toString();
  }

  private static void value(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof Boolean
        || v instanceof Long
        || v instanceof Integer
        || v instanceof Short
        || v instanceof Byte) {
      b.append(v);
    } else if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
      b.append(n);
    } else {
      string(b, String.valueOf(v));
    }
  }

  /** {@code s} as a JSON string of printable ASCII; {@code null} as {@code null}. */
  static void string(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    LogValue.quoted(b, s);
  }
}
