package dev.sluice.demo;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/** Encodes the {@code chat.completion} object of a non-streamed answer, in OpenAI's field order. */
final class CompletionBody {
  private CompletionBody() {}

  static ByteBuf encode(
      ByteBufAllocator alloc, CompletionMeta meta, Completion completion, Usage usage) {
    return JsonBuffers.json(
        alloc,
        g -> {
          g.writeStartObject();
          g.writeStringField("id", meta.id());
          g.writeStringField("object", "chat.completion");
          g.writeNumberField("created", meta.created());
          g.writeStringField("model", meta.model());
          g.writeArrayFieldStart("choices");
          g.writeStartObject();
          g.writeNumberField("index", 0);
          g.writeObjectFieldStart("message");
          g.writeStringField("role", "assistant");
          g.writeStringField("content", completion.text());
          g.writeNullField("refusal");
          g.writeArrayFieldStart("annotations");
          g.writeEndArray();
          g.writeEndObject();
          g.writeNullField("logprobs");
          g.writeStringField("finish_reason", completion.finishReason());
          g.writeEndObject();
          g.writeEndArray();
          g.writeFieldName("usage");
          usage(g, usage);
          g.writeStringField("system_fingerprint", meta.systemFingerprint());
          g.writeEndObject();
        });
  }

  /** Writes a {@code usage} object; shared with the usage chunk of a stream. */
  static void usage(JsonGenerator g, Usage usage) throws IOException {
    g.writeStartObject();
    g.writeNumberField("prompt_tokens", usage.promptTokens());
    g.writeNumberField("completion_tokens", usage.completionTokens());
    g.writeNumberField("total_tokens", usage.totalTokens());
    g.writeEndObject();
  }
}
