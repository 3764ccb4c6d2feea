package dev.sluice.demo;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Encodes the server-sent events of one streamed completion, byte for byte in OpenAI's framing:
 * each event is {@code data: } + one {@code chat.completion.chunk} JSON object on one line + a
 * blank line, and the stream ends with {@code data: [DONE]}.
 *
 * <p>The order is: one chunk with {@code delta.role} (and empty content), one chunk per piece of
 * content, one chunk with an empty delta and the {@code finish_reason}, then, only when the client
 * asked with {@code stream_options.include_usage}, a chunk with no choices and the {@code usage};
 * in that case every other chunk carries {@code "usage":null}, as OpenAI's do.
 */
final class ChunkEvents {
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private final CompletionMeta meta;
  private final boolean includeUsage;

  ChunkEvents(CompletionMeta meta, boolean includeUsage) {
    this.meta = meta;
    this.includeUsage = includeUsage;
  }

  ByteBuf role(ByteBufAllocator alloc) {
    return event(
        alloc,
        g -> {
          g.writeStringField("role", "assistant");
          g.writeStringField("content", "");
        },
        null);
  }

  ByteBuf content(ByteBufAllocator alloc, String piece) {
    return event(alloc, g -> g.writeStringField("content", piece), null);
  }

  ByteBuf finish(ByteBufAllocator alloc, String finishReason) {
    return event(alloc, g -> {}, finishReason);
  }

  /** The usage chunk: no choices, only the counts. */
  ByteBuf usage(ByteBufAllocator alloc, Usage usage) {
    return JsonBuffers.framed(
        alloc,
        DATA,
        g -> {
          g.writeStartObject();
          header(g);
          g.writeArrayFieldStart("choices");
          g.writeEndArray();
          g.writeFieldName("usage");
          CompletionBody.usage(g, usage);
          g.writeEndObject();
        },
        END);
  }

  /** The terminating {@code data: [DONE]} event. */
  static ByteBuf done() {
    return Unpooled.wrappedBuffer(DONE);
  }

  /** One chunk with one choice whose delta {@code delta} writes. */
  private ByteBuf event(ByteBufAllocator alloc, JsonBuffers.JsonWriter delta, String finishReason) {
    return JsonBuffers.framed(
        alloc,
        DATA,
        g -> {
          g.writeStartObject();
          header(g);
          g.writeArrayFieldStart("choices");
          g.writeStartObject();
          g.writeNumberField("index", 0);
          g.writeObjectFieldStart("delta");
          delta.write(g);
          g.writeEndObject();
          g.writeNullField("logprobs");
          if (finishReason == null) {
            g.writeNullField("finish_reason");
          } else {
            g.writeStringField("finish_reason", finishReason);
          }
          g.writeEndObject();
          g.writeEndArray();
          if (includeUsage) {
            g.writeNullField("usage");
          }
          g.writeEndObject();
        },
        END);
  }

  private void header(JsonGenerator g) throws IOException {
    g.writeStringField("id", meta.id());
    g.writeStringField("object", "chat.completion.chunk");
    g.writeNumberField("created", meta.created());
    g.writeStringField("model", meta.model());
    g.writeStringField("system_fingerprint", meta.systemFingerprint());
  }
}
