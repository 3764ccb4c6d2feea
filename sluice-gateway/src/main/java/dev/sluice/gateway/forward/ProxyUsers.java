package dev.sluice.gateway.forward;

import dev.sluice.config.ProxyUserConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * Checks {@code Proxy-Authorization: Basic} against a listener's {@code proxy_users}. The
 * password's SHA-256 is compared with the configured digest in constant time ({@link
 * MessageDigest#isEqual}), and an unknown user costs the same digest and comparison as a known one,
 * so response times tell nothing about which users exist or how much of a password was right.
 * Immutable.
 */
final class ProxyUsers {

  /** The outcome: the user's tenant, or null with {@code missing} saying whether to ask at all. */
  record Check(String tenant, boolean missing) {}

  private static final Check MISSING = new Check(null, true);
  private static final Check INVALID = new Check(null, false);
  private static final byte[] NO_USER = new byte[32];

  private final Map<String, byte[]> digests = new HashMap<>();
  private final Map<String, String> tenants = new HashMap<>();

  ProxyUsers(Map<String, ProxyUserConfig> users) {
    users.forEach(
        (name, u) -> {
          digests.put(name, HexFormat.of().parseHex(u.passwordSha256()));
          tenants.put(name, u.tenant());
        });
  }

  /** True when users are configured, so every request must authenticate. */
  boolean required() {
    return !digests.isEmpty();
  }

  /** Checks the value of a {@code Proxy-Authorization} header (null when absent). */
  Check check(String header) {
    if (header == null || header.isBlank()) {
      return MISSING;
    }
    String h = header.trim();
    int space = h.indexOf(' ');
    if (space < 0 || !h.substring(0, space).toLowerCase(Locale.ROOT).equals("basic")) {
      return INVALID;
    }
    String decoded;
    try {
      byte[] raw = Base64.getDecoder().decode(h.substring(space + 1).trim());
      decoded = new String(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return INVALID;
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      return INVALID;
    }
    String user = decoded.substring(0, colon);
    byte[] expected = digests.getOrDefault(user, NO_USER);
    byte[] actual = sha256(decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
    boolean ok = MessageDigest.isEqual(actual, expected) & expected != NO_USER;
    return ok ? new Check(tenants.get(user), false) : INVALID;
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }
}
