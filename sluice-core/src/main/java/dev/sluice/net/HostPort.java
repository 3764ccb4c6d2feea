package dev.sluice.net;

import java.util.Arrays;

/**
 * A host and a port, written {@code host:port}, with IPv6 literals in brackets ({@code
 * [::1]:8080}). The host is an IPv4 literal, an IPv6 literal (kept without brackets) or a DNS name.
 * Port 0 means "any free port" (used by tests); where a real port is needed the reader checks for
 * it.
 */
public record HostPort(String host, int port) {

  public HostPort {
    checkHost(host);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
  }

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException with a message fit for an operator
   */
  public static HostPort parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("expected host:port, e.g. 127.0.0.1:8080");
    }
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("expected [IPv6]:port, e.g. [::1]:8080");
      }
      host = text.substring(1, close);
      if (IpLiterals.parseIpv6(host) == null) {
        throw new IllegalArgumentException("not an IPv6 address inside the brackets");
      }
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("missing port; expected host:port, e.g. 127.0.0.1:8080");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException("an IPv6 address needs brackets, e.g. [::1]:8080");
      }
    }
    return new HostPort(host, parsePort(port));
  }

  /** True for 0.0.0.0 and ::, which bind every interface. */
  public boolean isWildcard() {
    byte[] a = IpLiterals.parse(host);
    if (a == null) {
      return false;
    }
    for (byte b : a) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * True when both cannot be bound at once: the same port (not 0, which picks a free port) on the
   * same host, or on any host when one of them is a wildcard address.
   */
  public boolean conflictsWith(HostPort other) {
    if (port == 0 || port != other.port) {
      return false;
    }
    if (isWildcard() || other.isWildcard()) {
      return true;
    }
    byte[] a = IpLiterals.parse(host);
    byte[] b = IpLiterals.parse(other.host);
    return a != null && b != null ? Arrays.equals(a, b) : host.equalsIgnoreCase(other.host);
  }

  /** {@code host:port}, with brackets around an IPv6 host. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static int parsePort(String p) {
    if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("the port must be a number 0..65535");
    }
    int v = Integer.parseInt(p);
    if (v > 65535) {
      throw new IllegalArgumentException("the port must be a number 0..65535");
    }
    return v;
  }

  private static void checkHost(String host) {
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("missing host; expected host:port, e.g. 127.0.0.1:8080");
    }
    if (host.indexOf(':') >= 0) {
      if (IpLiterals.parseIpv6(host) == null) {
        throw new IllegalArgumentException("not a valid IPv6 address: " + host);
      }
      return;
    }
    if (IpLiterals.parseIpv4(host) != null) {
      return;
    }
    if (host.matches("[0-9.]+")) {
      throw new IllegalArgumentException("not a valid IPv4 address: " + host);
    }
    if (host.length() > 253
        || !host.matches(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")) {
      throw new IllegalArgumentException("not a valid host name or IP address: " + host);
    }
  }
}
