package dev.sluice.config;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A user of a forward listener's {@code Proxy-Authorization: Basic}: the tenant its bytes are
 * charged to, and the SHA-256 of its password (64 hex digits, kept in lower case). The file holds
 * only the digest, so a leaked configuration does not leak passwords; use long random passwords,
 * since an unsalted digest of a short one is easy to reverse.
 */
public record ProxyUserConfig(String name, String tenant, String passwordSha256) {

  private static final Pattern HEX_256 = Pattern.compile("[0-9a-fA-F]{64}");

  public ProxyUserConfig {
    Names.checkNodeName("proxy user", name);
    Names.checkNodeName("tenant", tenant);
    passwordSha256 = checkDigest(passwordSha256).toLowerCase(Locale.ROOT);
  }

  /**
   * Returns {@code hex} if it is a SHA-256 digest in hex.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static String checkDigest(String hex) {
    Objects.requireNonNull(hex, "passwordSha256");
    if (!HEX_256.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "expected the SHA-256 of the password as 64 hex digits (printf %s PASSWORD |"
              + " sha256sum)");
    }
    return hex;
  }
}
