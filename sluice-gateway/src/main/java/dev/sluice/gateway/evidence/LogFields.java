package dev.sluice.gateway.evidence;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The fields of a log line as typed key-value pairs, passed as an argument of an SLF4J call (as
 * logstash's {@code StructuredArguments} are): {@code log.info("{}", LogFields.of("listener", l,
 * "bytes_out", n))}. Any backend writes its {@link #toString}, the {@code key=value} line with
 * values escaped by {@link LogValue}; the app's JSON backend also writes each pair as a field of
 * its own ({@code logging.format: json}), the value as it is (a {@link Number} stays a number).
 * Immutable.
 */
public final class LogFields {

  private final List<Map.Entry<String, Object>> pairs;

  private LogFields(List<Map.Entry<String, Object>> pairs) {
    this.pairs = Collections.unmodifiableList(pairs);
  }

  /**
   * The pairs {@code key1, value1, key2, value2, ...}, in this order.
   *
   * @throws IllegalArgumentException for an odd count or a key that is not a non-null String
   */
  public static LogFields of(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values come in pairs");
    }
    List<Map.Entry<String, Object>> pairs = new ArrayList<>(keysAndValues.length / 2);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      if (!(keysAndValues[i] instanceof String key)) {
        throw new IllegalArgumentException("key " + i / 2 + " is not a string");
      }
      pairs.add(new java.util.AbstractMap.SimpleImmutableEntry<>(key, keysAndValues[i + 1]));
    }
    return new LogFields(pairs);
  }

  /** The pairs in order; a value may be null. */
  public List<Map.Entry<String, Object>> pairs() {
    return pairs;
  }

  /** {@code key=value ...}, values as in a log line ({@link LogValue}). */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Object> e : pairs) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(e.getKey()).append('=').append(LogValue.of(e.getValue()));
    }
    return b.toString();
  }
}
