package dev.sluice.ledger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One immutable ledger entry: a type, a wall-clock timestamp and an ordered list of named fields.
 *
 * <p>Field values are {@link Long}, {@link String}, or lists of either ({@code List<Long>}, {@code
 * List<String>}). Keys are lower-case ASCII ({@code [a-z0-9_]}, 1..64 chars) and unique within an
 * entry. The field order is part of the entry: the canonical encoding writes fields in this order,
 * so the same builder calls always produce the same bytes and the same leaf hash.
 */
public final class LedgerEntry {

  /** One named value. */
  public record Field(String key, Object value) {
    public Field {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  private final EntryType type;
  private final long timeMillis;
  private final List<Field> fields;

  private LedgerEntry(EntryType type, long timeMillis, List<Field> fields) {
    this.type = type;
    this.timeMillis = timeMillis;
    this.fields = fields;
  }

  /** Starts an entry of {@code type} stamped {@code timeMillis} (epoch ms, from the clock). */
  public static Builder builder(EntryType type, long timeMillis) {
    return new Builder(type, timeMillis);
  }

  /** Builds an entry from already-validated parts (used by the decoder). */
  public static LedgerEntry of(EntryType type, long timeMillis, List<Field> fields) {
    Builder b = builder(type, timeMillis);
    for (Field f : fields) {
      b.putValue(f.key(), f.value());
    }
    return b.build();
  }

  public EntryType type() {
    return type;
  }

  public long timeMillis() {
    return timeMillis;
  }

  public List<Field> fields() {
    return fields;
  }

  /** The raw value of {@code key}, or {@code null} when absent. */
  public Object get(String key) {
    for (Field f : fields) {
      if (f.key().equals(key)) {
        return f.value();
      }
    }
    return null;
  }

  public boolean has(String key) {
    return get(key) != null;
  }

  /** The long value of {@code key}; throws if absent or not a long. */
  public long getLong(String key) {
    Object v = require(key);
    if (v instanceof Long l) {
      return l;
    }
    throw new IllegalStateException(type.label() + "." + key + " is not a number: " + v);
  }

  /** The long value of {@code key}, or {@code dflt} when absent. */
  public long getLong(String key, long dflt) {
    return has(key) ? getLong(key) : dflt;
  }

  /** The string value of {@code key}; throws if absent or not a string. */
  public String getString(String key) {
    Object v = require(key);
    if (v instanceof String s) {
      return s;
    }
    throw new IllegalStateException(type.label() + "." + key + " is not a string: " + v);
  }

  /** The list-of-strings value of {@code key}; throws if absent or of another type. */
  @SuppressWarnings("unchecked")
  public List<String> getStrings(String key) {
    Object v = require(key);
    if (v instanceof List<?> l && l.stream().allMatch(String.class::isInstance)) {
      return (List<String>) l;
    }
    throw new IllegalStateException(type.label() + "." + key + " is not a list of strings: " + v);
  }

  /** The list-of-longs value of {@code key}; throws if absent or of another type. */
  @SuppressWarnings("unchecked")
  public List<Long> getLongs(String key) {
    Object v = require(key);
    if (v instanceof List<?> l && l.stream().allMatch(Long.class::isInstance)) {
      return (List<Long>) l;
    }
    throw new IllegalStateException(type.label() + "." + key + " is not a list of numbers: " + v);
  }

  private Object require(String key) {
    Object v = get(key);
    if (v == null) {
      throw new IllegalStateException(type.label() + " entry has no field " + key);
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LedgerEntry e
        && e.type == type
        && e.timeMillis == timeMillis
        && e.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, timeMillis, fields);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(type.label()).append(" t=").append(timeMillis);
    for (Field f : fields) {
      sb.append(' ').append(f.key()).append('=').append(f.value());
    }
    return sb.toString();
  }

  /** Collects fields in order; rejects bad keys, duplicate keys and unsupported value types. */
  public static final class Builder {
    private final EntryType type;
    private final long timeMillis;
    private final List<Field> fields = new ArrayList<>();

    private Builder(EntryType type, long timeMillis) {
      this.type = Objects.requireNonNull(type, "type");
      this.timeMillis = timeMillis;
    }

    public Builder put(String key, long value) {
      return putValue(key, value);
    }

    public Builder put(String key, String value) {
      return putValue(key, Objects.requireNonNull(value, key));
    }

    public Builder putStrings(String key, List<String> value) {
      return putValue(key, value);
    }

    public Builder putLongs(String key, List<Long> value) {
      return putValue(key, value);
    }

    Builder putValue(String key, Object value) {
      checkKey(key);
      Object v = checkValue(key, value);
      for (Field f : fields) {
        if (f.key().equals(key)) {
          throw new IllegalArgumentException("duplicate field '" + key + "' in " + type.label());
        }
      }
      fields.add(new Field(key, v));
      return this;
    }

    public LedgerEntry build() {
      return new LedgerEntry(
          type, timeMillis, Collections.unmodifiableList(new ArrayList<>(fields)));
    }

    private static void checkKey(String key) {
      if (key == null || key.isEmpty() || key.length() > 64) {
        throw new IllegalArgumentException("field key must be 1..64 characters: " + key);
      }
      for (int i = 0; i < key.length(); i++) {
        char c = key.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
          throw new IllegalArgumentException("field key must match [a-z0-9_]+: " + key);
        }
      }
    }

    private static Object checkValue(String key, Object value) {
      if (value instanceof Long || value instanceof String) {
        return value;
      }
      if (value instanceof List<?> l) {
        boolean allLong = l.stream().allMatch(Long.class::isInstance);
        boolean allString = l.stream().allMatch(String.class::isInstance);
        if (allLong || allString) {
          return List.copyOf(l);
        }
      }
      throw new IllegalArgumentException(
          "field '" + key + "' must be a long, a string or a list of one of them, got " + value);
    }
  }
}
