package dev.sluice.gateway.reverse;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Locale;

/**
 * The framing checks every listener applies before forwarding a request: anything a downstream
 * server could read differently than we do (request smuggling) is refused. Netty's strict decoder
 * already marks bare LF line ends, header names with spaces, both Content-Length and
 * Transfer-Encoding, and repeated Content-Length values as failures; this adds what it lets
 * through: a Transfer-Encoding other than exactly {@code chunked}, a Content-Length that is not
 * plain digits, a missing or repeated Host on HTTP/1.1, a version other than 1.0 and 1.1, and a
 * Connection header that names a framing header (a proxy strips what Connection names, which would
 * leave the body without its framing).
 */
public final class RequestFraming {

  private static final List<String> FRAMING =
      List.of("content-length", "transfer-encoding", "host");

  private RequestFraming() {}

  /**
   * The first of {@code names} that appears more than once in {@code h} (however its name is
   * spelled), as a message for the client, or null when each appears at most once. For the headers
   * that decide who pays or where a request goes: a gateway that reads the first and forwards both
   * lets the next hop act on the other.
   */
  public static String repeated(HttpHeaders h, CharSequence... names) {
    for (CharSequence name : names) {
      if (name != null && h.getAll(name).size() > 1) {
        return "more than one " + name + " header";
      }
    }
    return null;
  }

  /** Why {@code req} must not be forwarded, or null when its framing is unambiguous. */
  public static String problem(HttpRequest req) {
    if (req.decoderResult().isFailure()) {
      Throwable c = req.decoderResult().cause();
      return "malformed request: " + (c == null ? "invalid" : c.getMessage());
    }
    HttpVersion v = req.protocolVersion();
    if (!v.equals(HttpVersion.HTTP_1_1) && !v.equals(HttpVersion.HTTP_1_0)) {
      return "unsupported HTTP version " + v.text();
    }
    HttpHeaders h = req.headers();
    List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
    List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (!cl.isEmpty() && !te.isEmpty()) {
      return "both Content-Length and Transfer-Encoding";
    }
    if (cl.size() > 1 || (cl.size() == 1 && cl.get(0).contains(","))) {
      return "more than one Content-Length";
    }
    if (cl.size() == 1 && !cl.get(0).matches("[0-9]{1,18}")) {
      return "invalid Content-Length";
    }
    if (te.size() > 1) {
      return "more than one Transfer-Encoding";
    }
    if (te.size() == 1 && !te.get(0).equalsIgnoreCase("chunked")) {
      return "unsupported Transfer-Encoding " + te.get(0);
    }
    for (String c : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : c.split(",")) {
        if (FRAMING.contains(token.trim().toLowerCase(Locale.ROOT))) {
          return "Connection names " + token.trim() + ", which frames the request";
        }
      }
    }
    if (v.equals(HttpVersion.HTTP_1_1)) {
      List<String> host = h.getAll(HttpHeaderNames.HOST);
      if (host.size() != 1 || host.get(0).isBlank()) {
        return host.isEmpty() ? "missing Host" : "invalid or repeated Host";
      }
    }
    return null;
  }
}
