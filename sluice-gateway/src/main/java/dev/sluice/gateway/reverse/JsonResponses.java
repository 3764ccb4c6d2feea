package dev.sluice.gateway.reverse;

import dev.sluice.budget.Denial;
import dev.sluice.gateway.refusal.Reason;
import dev.sluice.gateway.refusal.Refusal;
import dev.sluice.halt.HaltState;
import dev.sluice.time.WindowCalendar;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The responses the gateway itself sends: JSON bodies in the shape of OpenAI's errors, {@code
 * {"error":{"type":..,"message":..,...}}}, so API clients show the reason. For a spent budget:
 *
 * <pre>
 * 429 {"error":{"type":"egress_budget_exhausted","node":"tenant:inference/acme","window":"day",
 *      "resets_at":"2026-11-23T00:00:00Z","message":"..."}}
 * </pre>
 */
public final class JsonResponses {

  private JsonResponses() {}

  /** The response for a refusal, or null when the refusal leaves nothing to say (just close). */
  public static FullHttpResponse refusal(Refusal r, long nowMillis) {
    return switch (r.reason()) {
      case BUDGET_EXHAUSTED -> budget(r.denial(), nowMillis);
      case HALTED -> halted(r.halt());
      case STORE_UNAVAILABLE ->
          error(
              Reason.STORE_UNAVAILABLE,
              Reason.STORE_UNAVAILABLE.message() + ": " + r.detail(),
              r.store() == null ? "" : ",\"store\":" + Json.str(r.store()));
      case TRANSFER_TOO_LARGE ->
          error(
              Reason.TRANSFER_TOO_LARGE,
              Reason.TRANSFER_TOO_LARGE.message() + ": " + r.detail(),
              "");
      default -> null;
    };
  }

  /**
   * The 429 for a spent budget. {@code Retry-After} is as long as the wait really is: until escrow
   * held elsewhere returns when that would pay ({@code retry_at} in the body then), else until the
   * window resets; none for a lifetime limit that nothing returning would pay.
   */
  static FullHttpResponse budget(Denial d, long nowMillis) {
    Instant resets = d.resetsAt();
    boolean early = d.retryAtMillis() < d.resetsAtMillis();
    String extra =
        ",\"node\":"
            + Json.str(d.nodeId())
            + ",\"window\":"
            + Json.str(d.window().label())
            + ",\"resets_at\":"
            + (resets == null ? "null" : Json.str(resets.toString()))
            + (early
                ? ",\"retry_at\":" + Json.str(Instant.ofEpochMilli(d.retryAtMillis()).toString())
                : "");
    FullHttpResponse res =
        error(
            Reason.BUDGET_EXHAUSTED,
            "egress budget of "
                + d.nodeId()
                + " for this "
                + d.window().label()
                + " is spent"
                + (resets == null ? "" : "; it resets at " + resets)
                + (early
                    ? "; escrow held elsewhere returns by "
                        + Instant.ofEpochMilli(d.retryAtMillis())
                    : ""),
            extra);
    if (d.retryAtMillis() != WindowCalendar.NEVER) {
      // Both are epoch ms, so the difference cannot overflow unless the retry is in the past.
      long wait = Math.max(0, d.retryAtMillis() - nowMillis);
      long seconds = Math.max(1, wait / 1000 + (wait % 1000 == 0 ? 0 : 1));
      res.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
    }
    return res;
  }

  static FullHttpResponse halted(HaltState.Halt h) {
    String extra =
        h == null
            ? ""
            : ",\"scope\":" + Json.str(h.scope()) + ",\"reason\":" + Json.str(h.reason());
    return error(Reason.HALTED, Reason.HALTED.message(), extra);
  }

  /**
   * The JSON error for {@code reason}: its status and its label as the type; {@code extraFields} is
   * either empty or starts with a comma.
   */
  public static FullHttpResponse error(Reason reason, String message, String extraFields) {
    if (reason.status() == 0) {
      throw new IllegalArgumentException(reason + " is answered by a close, not a response");
    }
    return error(HttpResponseStatus.valueOf(reason.status()), reason.label(), message, extraFields);
  }

  /** A JSON error response; {@code extraFields} is either empty or starts with a comma. */
  public static FullHttpResponse error(
      HttpResponseStatus status, String type, String message, String extraFields) {
    String body =
        "{\"error\":{\"type\":"
            + Json.str(type)
            + ",\"message\":"
            + Json.str(message)
            + extraFields
            + "}}\n";
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    return res;
  }
}
