package dev.sluice.gateway.forward;

/**
 * Where a proxy request goes, as the client wrote it: {@code CONNECT host:port} (a tunnel) or
 * {@code http://host[:port]/path?query} (absolute form, forwarded in origin form). {@code host} is
 * exactly as written, brackets included, so {@link HostCheck} can refuse every spelling that is not
 * a plain lower-case name.
 *
 * @param pathAndQuery the origin-form target ({@code /} at least); empty for a tunnel
 */
record RequestTarget(boolean tunnel, String host, int port, String pathAndQuery) {

  /** A parsed target, or why the request target cannot be used. */
  record Parsed(RequestTarget target, String problem) {
    static Parsed bad(String problem) {
      return new Parsed(null, problem);
    }
  }

  private static final String HTTP = "http://";

  /** {@code host:port}, as recorded in the ledger and log line. */
  String authority() {
    return host + ":" + port;
  }

  /** The Host header for the origin: the port is left out when it is the default (80). */
  String hostHeader() {
    return port == 80 ? host : authority();
  }

  /** Parses the target of a CONNECT ({@code connect}) or other request. */
  static Parsed parse(boolean connect, String uri) {
    if (connect) {
      if (uri.indexOf('/') >= 0 || uri.indexOf('@') >= 0) {
        return Parsed.bad("CONNECT takes host:port");
      }
      return authority(uri, true, -1, "");
    }
    if (uri.regionMatches(true, 0, "https://", 0, 8)) {
      return Parsed.bad("use CONNECT for https:// destinations");
    }
    if (!uri.regionMatches(true, 0, HTTP, 0, HTTP.length())) {
      return Parsed.bad(
          "a forward proxy takes CONNECT host:port or an absolute http:// URI, not "
              + shorten(uri));
    }
    String rest = uri.substring(HTTP.length());
    int end = rest.length();
    for (char c : new char[] {'/', '?', '#'}) {
      int i = rest.indexOf(c);
      if (i >= 0 && i < end) {
        end = i;
      }
    }
    String path = rest.substring(end);
    int fragment = path.indexOf('#');
    if (fragment >= 0) {
      path = path.substring(0, fragment);
    }
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    return authority(rest.substring(0, end), false, 80, path);
  }

  private static Parsed authority(String a, boolean tunnel, int defaultPort, String path) {
    if (a.indexOf('@') >= 0) {
      return Parsed.bad("credentials in the request target are not allowed");
    }
    String host;
    String port;
    if (a.startsWith("[")) {
      int close = a.indexOf(']');
      if (close < 0) {
        return Parsed.bad("unclosed [ in the host");
      }
      host = a.substring(0, close + 1);
      String after = a.substring(close + 1);
      if (!after.isEmpty() && !after.startsWith(":")) {
        return Parsed.bad("unexpected text after ]");
      }
      port = after.isEmpty() ? null : after.substring(1);
    } else {
      int colon = a.lastIndexOf(':');
      host = colon < 0 ? a : a.substring(0, colon);
      port = colon < 0 ? null : a.substring(colon + 1);
    }
    if (host.isEmpty()) {
      return Parsed.bad("no host in the request target");
    }
    int p;
    if (port == null) {
      if (defaultPort < 0) {
        return Parsed.bad("CONNECT needs a port (host:port)");
      }
      p = defaultPort;
    } else {
      p = port(port);
      if (p < 0) {
        return Parsed.bad("invalid port " + shorten(port));
      }
    }
    return new Parsed(new RequestTarget(tunnel, host, p, path), null);
  }

  /** A decimal port 1..65535, or -1. */
  private static int port(String s) {
    if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    int p = Integer.parseInt(s);
    return p >= 1 && p <= 65535 ? p : -1;
  }

  private static String shorten(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
