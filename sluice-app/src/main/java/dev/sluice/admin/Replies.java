package dev.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes admin API responses: JSON bodies (and plain text where a protocol wants it). */
final class Replies {

  static final String JSON = "application/json; charset=utf-8";
  static final String TEXT = "text/plain; charset=utf-8";

  private Replies() {}

  static void json(AdminExchange ex, int status, JsonNode body) throws IOException {
    send(ex, status, JSON, Json.MAPPER.writeValueAsBytes(body));
  }

  static void text(AdminExchange ex, int status, String body) throws IOException {
    send(ex, status, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  static void error(AdminExchange ex, ApiError e) throws IOException {
    if (e.status() == 401) {
      ex.responseHeaders().set("WWW-Authenticate", "Bearer realm=\"sluice-admin\"");
    }
    json(ex, e.status(), e.body());
  }

  static void send(AdminExchange ex, int status, String contentType, byte[] body)
      throws IOException {
    ex.responseHeaders().set("Cache-Control", "no-store");
    ex.respond(status, contentType, body);
  }
}
