package dev.sluice.gateway.reverse;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes hop-by-hop headers (RFC 9110 section 7.6.1): those of the fixed list and those the
 * Connection header names. A proxy must not forward them; each side sets its own framing.
 */
public final class HopByHop {

  private static final List<CharSequence> FIXED =
      List.of(
          HttpHeaderNames.CONNECTION,
          "Keep-Alive",
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.UPGRADE,
          "Proxy-Connection");

  private HopByHop() {}

  public static void strip(HttpHeaders h) {
    List<String> named = new ArrayList<>();
    for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : v.split(",")) {
        String t = token.trim();
        if (!t.isEmpty()) {
          named.add(t);
        }
      }
    }
    for (String n : named) {
      h.remove(n);
    }
    for (CharSequence n : FIXED) {
      h.remove(n);
    }
  }
}
