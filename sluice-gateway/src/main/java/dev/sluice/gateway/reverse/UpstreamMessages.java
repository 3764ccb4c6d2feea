package dev.sluice.gateway.reverse;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.net.InetSocketAddress;

/**
 * Rewrites the messages a reverse proxy passes on: a request for its upstream (hop-by-hop headers
 * out, Host, X-Forwarded-For/-Proto, the upstream's base path) and a response head for the client
 * (hop-by-hop headers out, framing the client's codec can stream, the client's keep-alive). Pure
 * functions of the messages.
 */
final class UpstreamMessages {

  private UpstreamMessages() {}

  /** Prepares {@code req} to be sent to {@code t} on behalf of {@code client} (may be null). */
  static void request(
      FullHttpRequest req, UpstreamTargets.Target t, InetSocketAddress client, boolean https) {
    HttpHeaders h = req.headers();
    HopByHop.strip(h);
    h.remove(HttpHeaderNames.EXPECT);
    h.set(HttpHeaderNames.HOST, t.authority());
    if (client != null) {
      String prior = h.get("X-Forwarded-For");
      String ip = client.getAddress().getHostAddress();
      h.set("X-Forwarded-For", prior == null ? ip : prior + ", " + ip);
    }
    h.set("X-Forwarded-Proto", https ? "https" : "http");
    if (!t.basePath().isEmpty()) {
      req.setUri(t.basePath() + req.uri());
    }
  }

  /** Methods whose request may be sent twice (on a fresh connection after a pooled one failed). */
  static boolean idempotent(HttpMethod m) {
    return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS);
  }

  /**
   * Prepares the head of an upstream response for the client.
   *
   * @return whether the upstream keeps its connection after this response
   */
  static boolean responseHead(HttpResponse res, boolean head, boolean clientKeepAlive) {
    boolean upstreamKeepAlive = HttpUtil.isKeepAlive(res);
    HttpHeaders h = res.headers();
    HopByHop.strip(h);
    boolean bodyless = res.status().code() == 204 || res.status().code() == 304 || head;
    if (!bodyless
        && !HttpUtil.isContentLengthSet(res)
        && !HttpUtil.isTransferEncodingChunked(res)) {
      HttpUtil.setTransferEncodingChunked(res, true);
    }
    HttpUtil.setKeepAlive(res, clientKeepAlive);
    return upstreamKeepAlive;
  }

  /**
   * Bytes the whole response will take on the wire when its length is known (headers estimated
   * generously), or 0 when it streams with unknown length.
   */
  static long wholeResponseSize(HttpResponse res, boolean head) {
    if (!HttpUtil.isContentLengthSet(res) || head) {
      return 0;
    }
    long headers = 64;
    for (var e : res.headers()) {
      headers += e.getKey().length() + e.getValue().length() + 4;
    }
    return HttpUtil.getContentLength(res, 0L) + headers;
  }
}
