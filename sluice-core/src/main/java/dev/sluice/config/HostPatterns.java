package dev.sluice.config;

import dev.sluice.net.IpLiterals;
import java.util.Locale;

/**
 * Destination patterns: an exact lower-case host name ({@code api.example.com}) or a suffix
 * wildcard ({@code *.corp.example}, which matches every name <em>below</em> {@code corp.example}
 * but not {@code corp.example} itself). IP literals are refused on purpose: destinations are names,
 * and the gateway checks resolved addresses separately, so an IP pattern would be a way around the
 * name rules.
 */
final class HostPatterns {

  private HostPatterns() {}

  /**
   * Returns {@code pattern} if valid.
   *
   * @throws IllegalArgumentException naming the reason
   */
  static String check(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw invalid("it is empty");
    }
    if (pattern.indexOf('[') >= 0 || pattern.indexOf(']') >= 0 || pattern.indexOf(':') >= 0) {
      throw invalid("IP literals, brackets and ports are not allowed; use a host name");
    }
    if (IpLiterals.parseIpv4(pattern) != null) {
      throw invalid("IP literals are not allowed; use a host name");
    }
    if (!pattern.equals(pattern.toLowerCase(Locale.ROOT))) {
      throw invalid("use lower case (" + pattern.toLowerCase(Locale.ROOT) + ")");
    }
    if (pattern.endsWith(".")) {
      throw invalid("remove the trailing dot");
    }
    String name = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
    if (name.indexOf('*') >= 0) {
      throw invalid("'*' is only allowed as the whole first label, e.g. *.example.com");
    }
    if (name.length() > 253) {
      throw invalid("longer than 253 characters");
    }
    String[] labels = name.split("\\.", -1);
    for (String label : labels) {
      checkLabel(label);
    }
    if (labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid("the last label is all digits, which reads as an IP address");
    }
    return pattern;
  }

  /** True when {@code host} (lower case, no trailing dot) matches {@code pattern}. */
  static boolean matches(String pattern, String host) {
    if (pattern.startsWith("*.")) {
      String suffix = pattern.substring(1);
      return host.length() > suffix.length() && host.endsWith(suffix);
    }
    return pattern.equals(host);
  }

  private static void checkLabel(String label) {
    if (label.isEmpty()) {
      throw invalid("empty label (two dots in a row, or a leading dot)");
    }
    if (label.length() > 63) {
      throw invalid("label '" + label + "' is longer than 63 characters");
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (c > 127) {
        throw invalid("non-ASCII character; write internationalized names in punycode (xn--...)");
      }
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        throw invalid("character '" + c + "' is not allowed in a host name");
      }
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      throw invalid("label '" + label + "' starts or ends with '-'");
    }
  }

  private static IllegalArgumentException invalid(String reason) {
    return new IllegalArgumentException("invalid destination pattern: " + reason);
  }
}
