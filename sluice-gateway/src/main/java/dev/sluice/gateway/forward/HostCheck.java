package dev.sluice.gateway.forward;

import dev.sluice.gateway.refusal.Reason;
import dev.sluice.net.IpLiterals;

/**
 * Decides whether a requested host is a plain DNS name in its one canonical spelling: lower case,
 * no trailing dot, labels of {@code a-z 0-9 -}. Everything else is refused with its own reason,
 * without DNS: destination patterns, budgets and the ledger all speak of names, and every other
 * spelling of a host (an IP literal in any of the forms resolvers accept, brackets, {@code
 * API.Example.COM}, {@code api.example.com.}) would be a way around them.
 *
 * <p>A host whose last label is numeric ({@code 127.1}, {@code 2130706433}, {@code 0x7f.1}, {@code
 * 0177.0.0.1}) is read as an IPv4 address by {@code inet_aton} and by browsers, so it counts as an
 * IP literal, whatever its other labels are.
 */
final class HostCheck {

  private static final int MAX_NAME = 253;
  private static final int MAX_LABEL = 63;

  private HostCheck() {}

  /** Why {@code host} is refused, or null when it is a canonical name. */
  static Reason problem(String host) {
    if (host.startsWith("[")) {
      return isIpv4Mapped(host.substring(1, Math.max(1, host.length() - 1)))
          ? Reason.DESTINATION_IPV4_MAPPED
          : Reason.DESTINATION_BRACKETED;
    }
    if (host.indexOf(':') >= 0) {
      if (isIpv4Mapped(host)) {
        return Reason.DESTINATION_IPV4_MAPPED;
      }
      return IpLiterals.parseIpv6(host) != null
          ? Reason.DESTINATION_IP_LITERAL
          : Reason.DESTINATION_INVALID;
    }
    if (endsInNumber(host)) {
      return Reason.DESTINATION_IP_LITERAL;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return Reason.DESTINATION_NOT_LOWER_CASE;
      }
    }
    if (host.endsWith(".")) {
      return Reason.DESTINATION_TRAILING_DOT;
    }
    if (host.startsWith(".") || host.contains("..")) {
      return Reason.DESTINATION_EMPTY_LABEL;
    }
    return isName(host) ? null : Reason.DESTINATION_INVALID;
  }

  /**
   * True when the last label (ignoring one trailing dot) is a number as {@code inet_aton} reads
   * one: decimal, octal with a leading 0, or hex with {@code 0x}.
   */
  static boolean endsInNumber(String host) {
    String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    String last = h.substring(h.lastIndexOf('.') + 1);
    if (last.isEmpty()) {
      return false;
    }
    if (last.length() >= 2 && (last.startsWith("0x") || last.startsWith("0X"))) {
      return last.substring(2).chars().allMatch(HostCheck::isHex);
    }
    return last.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  private static boolean isIpv4Mapped(String literal) {
    byte[] b = IpLiterals.parseIpv6(literal);
    if (b == null) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }

  private static boolean isName(String host) {
    if (host.isEmpty() || host.length() > MAX_NAME) {
      return false;
    }
    for (String label : host.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > MAX_LABEL) {
        return false;
      }
      if (label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
