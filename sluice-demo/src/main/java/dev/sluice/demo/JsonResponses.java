package dev.sluice.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Complete JSON responses with a {@code Content-Length}: any JSON body, and errors in OpenAI's
 * shape {@code {"error":{"message","type","param","code"}}}.
 */
final class JsonResponses {
  private JsonResponses() {}

  /** A response owning {@code body}. */
  static FullHttpResponse json(HttpResponseStatus status, ByteBuf body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    return r;
  }

  /**
   * An error response.
   *
   * @param type OpenAI's error type, e.g. {@code invalid_request_error} or {@code server_error}
   * @param param the request field at fault, or null
   * @param code a machine-readable code, or null
   */
  static FullHttpResponse error(
      ByteBufAllocator alloc,
      HttpResponseStatus status,
      String message,
      String type,
      String param,
      String code) {
    ByteBuf body =
        JsonBuffers.json(
            alloc,
            g -> {
              g.writeStartObject();
              g.writeObjectFieldStart("error");
              g.writeStringField("message", message);
              g.writeStringField("type", type);
              g.writeStringField("param", param);
              g.writeStringField("code", code);
              g.writeEndObject();
              g.writeEndObject();
            });
    return json(status, body);
  }
}
