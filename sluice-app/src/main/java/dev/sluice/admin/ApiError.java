package dev.sluice.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request the admin API answers with an error: the HTTP status and the body {@code
 * {"error":{"type":..,"message":..}}}, plus optional fields next to {@code error} (e.g. the halt
 * that is in force although it could not be ledgered). Thrown by endpoints, turned into the
 * response by {@link Router}.
 */
final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final transient ObjectNode extra;

  ApiError(int status, String type, String message) {
    this(status, type, message, null);
  }

  /**
   * @param type a stable snake_case word clients may switch on, e.g. {@code unknown_zone}
   * @param extra fields to put next to {@code error} in the body, or null
   */
  ApiError(int status, String type, String message, ObjectNode extra) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.extra = extra;
  }

  int status() {
    return status;
  }

  String type() {
    return type;
  }

  /** The response body. */
  ObjectNode body() {
    ObjectNode body = Json.object();
    body.putObject("error").put("type", type).put("message", getMessage());
    if (extra != null) {
      body.setAll(extra);
    }
    return body;
  }
}
