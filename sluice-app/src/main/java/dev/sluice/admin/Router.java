package dev.sluice.admin;

import dev.sluice.gateway.evidence.LogValue;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches admin requests by exact path and method: unknown paths are 404, known paths with
 * another method 405 (with {@code Allow}), an {@link ApiError} becomes its JSON error, anything
 * else thrown becomes a 500 JSON error and a log line. Exact matching on purpose: {@code /healthzz}
 * must not answer.
 */
final class Router {

  /** One endpoint. */
  @FunctionalInterface
  interface Endpoint {
    void handle(AdminExchange ex) throws IOException;
  }

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final Map<String, Map<String, Endpoint>> routes = new LinkedHashMap<>();

  /** Adds {@code endpoint} for {@code method} on {@code path}; call before serving. */
  Router on(String method, String path, Endpoint endpoint) {
    routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, endpoint);
    return this;
  }

  /** Answers {@code ex}: after this its response is set. Never throws. */
  void handle(AdminExchange ex) {
    try {
      try {
        endpoint(ex).handle(ex);
      } catch (ApiError e) {
        Replies.error(ex, e);
      }
    } catch (IOException | RuntimeException e) {
      log.error("admin {} {} failed", ex.method(), LogValue.of(ex.path()), e);
      try {
        Replies.error(
            ex, new ApiError(500, "internal", "internal error: " + e.getClass().getSimpleName()));
      } catch (IOException unexpected) {
        ex.respond(500, Replies.TEXT, new byte[0]);
      }
    }
  }

  private Endpoint endpoint(AdminExchange ex) {
    String path = ex.path();
    Map<String, Endpoint> byMethod = routes.get(path);
    if (byMethod == null) {
      throw new ApiError(404, "not_found", "no such endpoint: " + path);
    }
    Endpoint e = byMethod.get(ex.method());
    if (e == null) {
      ex.responseHeaders().set("Allow", String.join(", ", byMethod.keySet()));
      throw new ApiError(
          405,
          "method_not_allowed",
          ex.method()
              + " is not allowed on "
              + path
              + "; use "
              + String.join(" or ", byMethod.keySet()));
    }
    return e;
  }
}
