package dev.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes admin API responses: JSON bodies (and plain text where a protocol wants it). */
final class Replies {

  static final String JSON = "application/json; charset=utf-8";
  static final String TEXT = "text/plain; charset=utf-8";

  private Replies() {}

  static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
    send(ex, status, JSON, Json.MAPPER.writeValueAsBytes(body));
  }

  static void text(HttpExchange ex, int status, String body) throws IOException {
    send(ex, status, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  static void error(HttpExchange ex, ApiError e) throws IOException {
    if (e.status() == 401) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"sluice-admin\"");
    }
    json(ex, e.status(), e.body());
  }

  static void send(HttpExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
