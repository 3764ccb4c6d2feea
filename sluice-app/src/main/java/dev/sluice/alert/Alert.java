package dev.sluice.alert;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One alert as it is logged, ledgered, served and sent: Alertmanager's alert shape.
 *
 * <p>{@code labels} identify the alert (always {@code alertname} and {@code severity}); {@code
 * fingerprint} is Alertmanager's: 16 hex digits of the 64-bit FNV-1a hash of the label names and
 * values in name order, each followed by the byte 0xff (Prometheus {@code model.LabelSet
 * .Fingerprint}), so a receiver deduplicates Sluice's alerts like any other. {@code endsAtMillis}
 * is -1 while firing.
 *
 * @param key what makes this alert once-only: threshold alerts include the limit's period, so the
 *     next period's crossing is a new alert
 */
public record Alert(
    String key,
    Status status,
    SortedMap<String, String> labels,
    SortedMap<String, String> annotations,
    long startsAtMillis,
    long endsAtMillis) {

  /** Firing or resolved, as Alertmanager spells them. */
  public enum Status {
    FIRING,
    RESOLVED;

    public String label() {
      return this == FIRING ? "firing" : "resolved";
    }
  }

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  public Alert {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(status, "status");
    labels = new TreeMap<>(labels);
    annotations = new TreeMap<>(annotations);
    if (!labels.containsKey("alertname") || !labels.containsKey("severity")) {
      throw new IllegalArgumentException("an alert needs the labels alertname and severity");
    }
  }

  public String name() {
    return labels.get("alertname");
  }

  public String severity() {
    return labels.get("severity");
  }

  public String summary() {
    return annotations.getOrDefault("summary", "");
  }

  /** The same alert, resolved at {@code atMillis}. */
  public Alert resolved(long atMillis) {
    return new Alert(key, Status.RESOLVED, labels, annotations, startsAtMillis, atMillis);
  }

  /** Alertmanager's fingerprint of the labels, 16 lower-case hex digits. */
  public String fingerprint() {
    return fingerprint(labels);
  }

  static String fingerprint(Map<String, String> labels) {
    long h = FNV_OFFSET;
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      h = add(h, e.getKey());
      h = addByte(h, (byte) 0xff);
      h = add(h, e.getValue());
      h = addByte(h, (byte) 0xff);
    }
    return String.format("%016x", h);
  }

  private static long add(long h, String s) {
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h = addByte(h, b);
    }
    return h;
  }

  private static long addByte(long h, byte b) {
    return (h ^ (b & 0xff)) * FNV_PRIME;
  }
}
