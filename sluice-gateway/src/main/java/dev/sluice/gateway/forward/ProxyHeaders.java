package dev.sluice.gateway.forward;

import dev.sluice.gateway.reverse.HopByHop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Rewrites the head of a forwarded request and of its response. The request goes out in origin form
 * with the Host of its target (RFC 9112: a proxy replaces whatever Host the client sent), and
 * without hop-by-hop headers, {@code Proxy-Authorization} among them: credentials for this proxy
 * never leave the site. Nothing is added: no {@code Via}, no {@code X-Forwarded-For}, since inside
 * addresses are not the destination's business, and every added byte would be egress.
 */
final class ProxyHeaders {

  private ProxyHeaders() {}

  /** Prepares {@code req} for the destination of {@code target}. */
  static void request(HttpRequest req, RequestTarget target) {
    HopByHop.strip(req.headers());
    req.headers().remove(HttpHeaderNames.EXPECT);
    req.headers().set(HttpHeaderNames.HOST, target.hostHeader());
    req.setUri(target.pathAndQuery());
  }

  /**
   * Bytes the request will take toward the destination when its size is known up front: the encoded
   * request line and headers, plus the body when a Content-Length announces it (a chunked body is
   * paid for as it streams).
   */
  static long knownSize(HttpRequest req) {
    long n = req.method().name().length() + 1 + req.uri().length() + 1 + 8 + 2 + 2;
    for (var h : req.headers()) {
      n += h.getKey().length() + 2 + h.getValue().length() + 2;
    }
    return n + Math.max(0, HttpUtil.getContentLength(req, 0L));
  }

  /**
   * Prepares {@code res} for the inside client and returns whether the client connection stays open
   * after it. A body without a length goes to an HTTP/1.1 client chunked; an HTTP/1.0 client gets
   * it delimited by our close, and never keep-alive.
   *
   * @param bodyless the response has no body whatever its headers say (HEAD, 204, 304)
   */
  static boolean response(
      HttpResponse res, boolean bodyless, boolean clientKeepAlive, HttpVersion clientVersion) {
    HopByHop.strip(res.headers());
    boolean http11 = clientVersion.equals(HttpVersion.HTTP_1_1);
    boolean keepAlive = clientKeepAlive && http11;
    boolean sized = HttpUtil.isContentLengthSet(res);
    if (!bodyless && !sized) {
      if (http11) {
        HttpUtil.setTransferEncodingChunked(res, true);
      } else {
        res.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        keepAlive = false;
      }
    }
    res.setProtocolVersion(HttpVersion.HTTP_1_1);
    HttpUtil.setKeepAlive(res, keepAlive);
    return keepAlive;
  }
}
