package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code vllm}: vLLM's OpenAI-compatible {@code /v1/chat/completions} stream. Each chunk is a
 * pydantic {@code ChatCompletionStreamResponse} dumped with {@code exclude_unset=True}, so only the
 * members vLLM sets appear: {@code id} ({@code chatcmpl-} and a 32-hex {@code uuid4}), {@code
 * object}, {@code created} (fixed per request), {@code model}, {@code choices}; no {@code
 * service_tier} or {@code system_fingerprint}. The first chunk's delta is {@code
 * {"role":"assistant","content":""}}, then {@code {"content":".."}} per token with {@code
 * "logprobs":null,"finish_reason":null}; the last token's chunk is an empty content with {@code
 * "finish_reason":"stop","stop_reason":null}. With {@code include_usage} (and no {@code
 * continuous_usage_stats}) one more chunk has {@code "choices":[]} and {@code usage} in {@code
 * UsageInfo}'s field order, {@code prompt_tokens}, {@code total_tokens}, {@code completion_tokens}
 * (dumped with {@code exclude_none}); then {@code data: [DONE]}.
 *
 * <p>Source: vLLM's {@code entrypoints/openai/serving_chat.py} ({@code
 * chat_completion_stream_generator}) and {@code protocol.py} ({@code UsageInfo}); checked against
 * public captures of vLLM streams from 2025 (Qwen3 models). pydantic-core writes JSON like serde:
 * compact, raw UTF-8.
 */
public final class VllmChat implements FamilyBuilder {
  static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    String id = "chatcmpl-" + Ids.hex(random, 32);
    String model = options.modelOr(MODEL);
    long created = options.createdEpochSecond();
    List<String> pieces = EventPieces.of(text, tokenizer, random, options.tokensPerEvent());
    List<byte[]> writes = new ArrayList<>(pieces.size() + 4);
    writes.add(chunk(id, created, model, "assistant", "", null));
    for (String piece : pieces) {
      writes.add(chunk(id, created, model, null, piece, null));
    }
    writes.add(chunk(id, created, model, null, "", "stop"));
    if (options.includeUsage()) {
      int completion = tokenizer.count(text) + 1;
      JsonWriter w = head(id, created, model).endArray().key("usage").beginObject();
      w.field("prompt_tokens", options.promptTokens());
      w.field("total_tokens", options.promptTokens() + completion);
      w.field("completion_tokens", completion).endObject();
      writes.add(Sse.data(w.endObject().toString()));
    }
    writes.add(Sse.DONE);
    return new FamilyStream(Family.VLLM, writes, pieces, text);
  }

  private static byte[] chunk(
      String id, long created, String model, String role, String content, String finish) {
    JsonWriter w = head(id, created, model).beginObject().field("index", 0);
    w.key("delta").beginObject();
    if (role != null) {
      w.field("role", role);
    }
    w.field("content", content).endObject().fieldNull("logprobs").field("finish_reason", finish);
    if (finish != null) {
      w.fieldNull("stop_reason");
    }
    return Sse.data(w.endObject().endArray().endObject().toString());
  }

  private static JsonWriter head(String id, long created, String model) {
    return JsonWriter.compact(JsonDialect.SERDE)
        .beginObject()
        .field("id", id)
        .field("object", "chat.completion.chunk")
        .field("created", created)
        .field("model", model)
        .key("choices")
        .beginArray();
  }
}
