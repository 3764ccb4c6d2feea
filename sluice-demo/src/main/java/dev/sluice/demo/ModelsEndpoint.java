package dev.sluice.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/** {@code GET /v1/models}: the configured models as an OpenAI {@code list} of {@code model}s. */
final class ModelsEndpoint {
  private final List<String> models;
  private final long created;

  /**
   * @param created Unix seconds reported as each model's creation time
   */
  ModelsEndpoint(List<String> models, long created) {
    this.models = List.copyOf(models);
    this.created = created;
  }

  FullHttpResponse response(ByteBufAllocator alloc) {
    ByteBuf body =
        JsonBuffers.json(
            alloc,
            g -> {
              g.writeStartObject();
              g.writeStringField("object", "list");
              g.writeArrayFieldStart("data");
              for (String id : models) {
                g.writeStartObject();
                g.writeStringField("id", id);
                g.writeStringField("object", "model");
                g.writeNumberField("created", created);
                g.writeStringField("owned_by", "sluice");
                g.writeEndObject();
              }
              g.writeEndArray();
              g.writeEndObject();
            });
    return JsonResponses.json(HttpResponseStatus.OK, body);
  }
}
