package dev.sluice.config;

import dev.sluice.net.HostPort;
import java.net.URI;
import java.net.URISyntaxException;

/** The spelling rules for listener upstreams: URLs for reverse, {@code host:port} for tcp. */
final class Upstreams {

  private Upstreams() {}

  /** Checks an {@code http://} or {@code https://} URL with a host and no query or fragment. */
  static String checkUrl(String text) {
    if (!text.regionMatches(true, 0, "http://", 0, 7)
        && !text.regionMatches(true, 0, "https://", 0, 8)) {
      throw new IllegalArgumentException(
          "a reverse upstream must be an http:// or https:// URL, e.g. http://127.0.0.1:8000");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("the URL has no valid host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("credentials in the URL are not allowed");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("the URL must not have a query or a fragment");
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      throw new IllegalArgumentException("the port must be 1..65535");
    }
    return text;
  }

  /** Checks a tcp upstream: {@code host:port} with a real port (1..65535). */
  static HostPort checkHostPort(String text) {
    HostPort hp = HostPort.parse(text);
    if (hp.port() == 0) {
      throw new IllegalArgumentException("an upstream port must be 1..65535");
    }
    return hp;
  }
}
