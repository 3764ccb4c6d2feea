package dev.sluice.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The fields of a small POST body: a JSON object of strings ({@code application/json}) or a form
 * ({@code application/x-www-form-urlencoded}); an empty body has no fields. Strict on purpose:
 * unknown fields are errors, because a misspelt {@code zone} must not turn a zone's resume into the
 * whole site's.
 */
final class RequestForm {

  /** Largest body read; admin requests are a few dozen bytes. */
  static final int MAX_BODY = 64 * 1024;

  private RequestForm() {}

  /** The body's fields, each one of {@code allowed}. */
  static Map<String, String> read(AdminExchange ex, Set<String> allowed) throws IOException {
    byte[] body = readBody(ex);
    String type = contentType(ex);
    Map<String, String> fields;
    if (body.length == 0) {
      fields = Map.of();
    } else if (type.equals("application/json")) {
      fields = json(body);
    } else if (type.equals("application/x-www-form-urlencoded")) {
      fields = form(body);
    } else {
      throw new ApiError(
          415,
          "unsupported_media_type",
          "send application/json or application/x-www-form-urlencoded, not '" + type + "'");
    }
    for (String key : fields.keySet()) {
      if (!allowed.contains(key)) {
        throw new ApiError(
            400, "unknown_field", "unknown field '" + key + "'; allowed: " + allowed);
      }
    }
    return fields;
  }

  private static byte[] readBody(AdminExchange ex) throws IOException {
    byte[] b = ex.body();
    if (b.length > MAX_BODY) {
      throw new ApiError(413, "body_too_large", "request body over " + MAX_BODY + " bytes");
    }
    return b;
  }

  private static String contentType(AdminExchange ex) {
    String t = ex.header("Content-Type");
    if (t == null) {
      return "";
    }
    int semi = t.indexOf(';');
    return (semi < 0 ? t : t.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }

  private static Map<String, String> json(byte[] body) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiError(400, "bad_json", "the body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ApiError(400, "bad_json", "the body is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new ApiError(400, "bad_json", "the body must be a JSON object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : root.properties()) {
      if (f.getValue().isNull()) {
        continue;
      }
      if (!f.getValue().isTextual()) {
        throw new ApiError(400, "bad_field", "field '" + f.getKey() + "' must be a string");
      }
      out.put(f.getKey(), f.getValue().textValue());
    }
    return out;
  }

  private static Map<String, String> form(byte[] body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (out.put(key, value) != null) {
        throw new ApiError(400, "bad_field", "field '" + key + "' is given twice");
      }
    }
    return out;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "bad_form", "malformed form encoding: " + e.getMessage());
    }
  }
}
