package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code openai-chat}: OpenAI's {@code POST /v1/chat/completions} with {@code "stream": true}, as
 * the API writes it (model {@code gpt-4o-2024-08-06}): a role chunk ({@code
 * "delta":{"role":"assistant","content":"","refusal":null}}), one chunk per token ({@code
 * "delta":{"content":"..."}}), the finish chunk ({@code "delta":{}}, {@code
 * "finish_reason":"stop"}), with {@code include_usage} a {@code "usage":null} on each of those and
 * a last chunk with {@code "choices":[]} and the usage object with its {@code
 * prompt_tokens_details} and {@code completion_tokens_details}, then {@code data: [DONE]}.
 * Envelope: {@link OpenAiChunks}.
 *
 * <p>Checked against live captures in public repositories (gpt-4o-2024-08-06 and gpt-3.5-turbo-0125
 * streams of late 2025, with usage and obfuscation; e.g. a trace-ingest test in an observability
 * project and a Rust gateway's tool-call fixture), the API reference's chunk object
 * (platform.openai.com/docs/api-reference/chat-streaming) and openai-python's {@code
 * ChatCompletionChunk}: field order, compact separators, {@code service_tier} before {@code
 * system_fingerprint}, {@code logprobs} before {@code finish_reason}, raw UTF-8 in strings.
 */
public final class OpenAiChat implements FamilyBuilder {

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    OpenAiChunks chunks = new OpenAiChunks(random, options);
    List<String> pieces = EventPieces.of(text, tokenizer, random, options.tokensPerEvent());
    List<byte[]> writes = new ArrayList<>(pieces.size() + 4);
    writes.add(
        chunks.chunk(
            w -> {
              w.beginObject().field("index", 0).key("delta").beginObject();
              w.field("role", "assistant").field("content", "").fieldNull("refusal").endObject();
              w.fieldNull("logprobs").fieldNull("finish_reason").endObject();
            },
            OpenAiChunks.ROLE));
    for (String piece : pieces) {
      writes.add(
          chunks.chunk(
              w -> {
                w.beginObject().field("index", 0).key("delta").beginObject();
                w.field("content", piece).endObject();
                w.fieldNull("logprobs").fieldNull("finish_reason").endObject();
              },
              piece.length()));
    }
    chunks.close(writes, "stop", options.promptTokens(), () -> tokenizer.count(text));
    return new FamilyStream(Family.OPENAI_CHAT, writes, pieces, text);
  }
}
