package dev.sluice.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches admin requests by exact path and method: unknown paths are 404, known paths with
 * another method 405 (with {@code Allow}), an {@link ApiError} becomes its JSON error, anything
 * else thrown becomes a 500 JSON error and a log line. Every exchange is closed. Exact matching on
 * purpose: the JDK server's contexts match prefixes, so {@code /healthzz} would otherwise answer.
 */
final class Router implements HttpHandler {

  /** One endpoint. */
  @FunctionalInterface
  interface Endpoint {
    void handle(HttpExchange ex) throws IOException;
  }

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  private final Map<String, Map<String, Endpoint>> routes = new LinkedHashMap<>();

  /** Adds {@code endpoint} for {@code method} on {@code path}; call before serving. */
  Router on(String method, String path, Endpoint endpoint) {
    routes.computeIfAbsent(path, p -> new LinkedHashMap<>()).put(method, endpoint);
    return this;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      try {
        endpoint(ex).handle(ex);
      } catch (ApiError e) {
        Replies.error(ex, e);
      } catch (IOException e) {
        throw e;
      } catch (RuntimeException e) {
        log.error("admin {} {} failed", ex.getRequestMethod(), ex.getRequestURI().getPath(), e);
        Replies.error(
            ex, new ApiError(500, "internal", "internal error: " + e.getClass().getSimpleName()));
      }
    }
  }

  private Endpoint endpoint(HttpExchange ex) {
    String path = ex.getRequestURI().getPath();
    Map<String, Endpoint> byMethod = routes.get(path);
    if (byMethod == null) {
      throw new ApiError(404, "not_found", "no such endpoint: " + path);
    }
    Endpoint e = byMethod.get(ex.getRequestMethod());
    if (e == null) {
      ex.getResponseHeaders().set("Allow", String.join(", ", byMethod.keySet()));
      throw new ApiError(
          405,
          "method_not_allowed",
          ex.getRequestMethod()
              + " is not allowed on "
              + path
              + "; use "
              + String.join(" or ", byMethod.keySet()));
    }
    return e;
  }
}
