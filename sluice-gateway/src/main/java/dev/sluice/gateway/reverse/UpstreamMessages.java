package dev.sluice.gateway.reverse;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
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
    // The gateway speaks HTTP/1.1 to its upstreams whatever the client spoke (its own version, RFC
    // 9110 section 6.2), so upstream connections keep alive and pool.
    req.setProtocolVersion(HttpVersion.HTTP_1_1);
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
   * Prepares the head of an upstream response for the client of exchange {@code x}: hop-by-hop
   * headers out; the gateway's own version, HTTP/1.1, in the status line whatever the upstream
   * spoke (an intermediary sends its own version, RFC 9110 section 6.2); a body of unknown length
   * chunked for an HTTP/1.1 client, and for an HTTP/1.0 client, which cannot read chunks, sent as
   * it comes and delimited by closing the connection (RFC 9112 sections 6.3 and 7.1: {@code
   * x.keepAlive} is cleared); the client's keep-alive, explicit for HTTP/1.0.
   *
   * @return whether the upstream keeps its connection after this response
   */
  static boolean responseHead(HttpResponse res, ReverseExchange x) {
    boolean upstreamKeepAlive = HttpUtil.isKeepAlive(res);
    HttpHeaders h = res.headers();
    HopByHop.strip(h);
    res.setProtocolVersion(HttpVersion.HTTP_1_1);
    boolean bodyless = res.status().code() == 204 || res.status().code() == 304 || x.head;
    if (!bodyless && !HttpUtil.isContentLengthSet(res)) {
      if (x.http10) {
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        x.keepAlive = false;
      } else if (!HttpUtil.isTransferEncodingChunked(res)) {
        HttpUtil.setTransferEncodingChunked(res, true);
      }
    }
    if (x.http10 && x.keepAlive) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    } else {
      HttpUtil.setKeepAlive(res, x.keepAlive);
    }
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
