package dev.sluice.admin;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;

/**
 * One admin request, read whole (head and a body of at most {@link RequestForm#MAX_BODY} bytes),
 * and the response an endpoint gives it. Endpoints run off the event loop and set the response
 * once; {@link AdminHttpHandler} writes it.
 */
final class AdminExchange {

  private final String method;
  private final String path;
  private final HttpHeaders requestHeaders;
  private final byte[] body;
  private final Map<String, List<String>> query;
  private final HttpHeaders responseHeaders = new DefaultHttpHeaders();
  private int status;
  private byte[] responseBody = new byte[0];
  private volatile Runnable afterResponse;

  AdminExchange(String method, String path, HttpHeaders requestHeaders, byte[] body) {
    this(method, path, Map.of(), requestHeaders, body);
  }

  /**
   * @param query the parameters of the request target's query, decoded
   */
  AdminExchange(
      String method,
      String path,
      Map<String, List<String>> query,
      HttpHeaders requestHeaders,
      byte[] body) {
    this.method = method;
    this.path = path;
    this.query = Map.copyOf(query);
    this.requestHeaders = requestHeaders;
    this.body = body;
  }

  /** A GET of {@code path} with no headers (tests). */
  static AdminExchange get(String path) {
    return new AdminExchange("GET", path, new DefaultHttpHeaders(), new byte[0]);
  }

  String method() {
    return method;
  }

  /** The path of the request target, without its query. */
  String path() {
    return path;
  }

  /** The first value of query parameter {@code name}, or null. */
  String query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The first value of request header {@code name}, or null. */
  String header(String name) {
    return requestHeaders.get(name);
  }

  byte[] body() {
    return body;
  }

  HttpHeaders responseHeaders() {
    return responseHeaders;
  }

  /** Sets the response: status, {@code Content-Type} and body. */
  void respond(int status, String contentType, byte[] body) {
    responseHeaders.set("Content-Type", contentType);
    this.status = status;
    this.responseBody = body;
  }

  /** The response status, 0 before {@link #respond}. */
  /**
   * Runs {@code action} once the response is written (or failed to be): for work that would cut the
   * answer short, such as replacing the admin server that sends it. It must not block.
   */
  void afterResponse(Runnable action) {
    this.afterResponse = action;
  }

  /** The action to run once the response is written, or null. */
  Runnable afterResponse() {
    return afterResponse;
  }

  int status() {
    return status;
  }

  byte[] responseBody() {
    return responseBody;
  }

  @Override
  public String toString() {
    return method + " " + path;
  }
}
