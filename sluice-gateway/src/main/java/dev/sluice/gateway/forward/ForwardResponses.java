package dev.sluice.gateway.forward;

import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.gateway.reverse.JsonResponses;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The responses a forward listener writes itself, all toward the inside client (so none of them is
 * egress, and none is paid from the control allowance): the JSON error for a {@link Reason} (in the
 * shape of {@link JsonResponses}), with {@code Proxy-Authenticate} on a 407, and the {@code 200
 * Connection established} that opens a tunnel.
 */
final class ForwardResponses {

  /** The realm a 407 names. */
  static final String REALM = "sluice";

  private ForwardResponses() {}

  /**
   * The JSON error for {@code reason}, its message followed by {@code detail} (if not null); the
   * connection is closed after it.
   */
  static FullHttpResponse error(Reason reason, String detail) {
    String message = detail == null ? reason.message() : reason.message() + ": " + detail;
    FullHttpResponse res = JsonResponses.error(reason, message, "");
    if (reason.status() == HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED.code()) {
      res.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"" + REALM + "\"");
    }
    HttpUtil.setKeepAlive(res, false);
    return res;
  }

  /**
   * The answer to a refusal with its budget figures ({@link JsonResponses#refusal}), or, for a
   * refusal that has none, the plain error of its reason; null when the reason has no answer.
   */
  static FullHttpResponse refusal(Refusal r, long nowMillis) {
    FullHttpResponse res = JsonResponses.refusal(r, nowMillis);
    if (res == null && r.reason().status() != 0) {
      res = error(r.reason(), r.detail());
    }
    return res;
  }

  /** The answer to an admitted CONNECT; the bytes after it belong to the tunnel. */
  static FullHttpResponse established() {
    return new DefaultFullHttpResponse(
        HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection established"));
  }

  /** The interim answer to {@code Expect: 100-continue}, sent once the request is admitted. */
  static FullHttpResponse continueResponse() {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE);
  }
}
