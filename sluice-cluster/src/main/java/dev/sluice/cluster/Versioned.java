package dev.sluice.cluster;

import java.nio.charset.StandardCharsets;

/**
 * One etcd key as read: its value ({@code null} when the key does not exist), mod revision and
 * version (0 when absent). A transaction conditioned on it compares the mod revision of a key that
 * exists and the version (0) of one that does not, so it commits only if nobody wrote the key since
 * it was read.
 */
record Versioned(byte[] value, long modRevision, long version) {

  /** A key never seen. */
  static final Versioned ABSENT = new Versioned(null, 0, 0);

  boolean exists() {
    return value != null;
  }

  /** A deletion seen at {@code revision}: absent, but newer than anything before it. */
  static Versioned deleted(long revision) {
    return new Versioned(null, revision, 0);
  }

  /**
   * The value as a non-negative decimal counter, 0 when absent.
   *
   * @throws IllegalStateException naming {@code key} when the value is not such a number
   */
  long asCounter(String key) {
    if (value == null) {
      return 0;
    }
    String s = new String(value, StandardCharsets.US_ASCII);
    try {
      long v = Long.parseLong(s);
      if (v < 0 || s.isEmpty() || !Character.isDigit(s.charAt(0))) {
        throw new NumberFormatException("negative or signed");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalStateException(
          "etcd key " + key + " holds '" + s + "', not a non-negative decimal counter");
    }
  }

  static byte[] decimal(long v) {
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }
}
