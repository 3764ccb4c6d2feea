package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code anthropic}: Anthropic's {@code POST /v1/messages} with {@code "stream": true}: named
 * events, each {@code event: NAME} then compact {@code data:} JSON whose {@code type} repeats the
 * name. {@code message_start} (the message: {@code id} {@code msg_01} and 22 base58 characters,
 * {@code type}, {@code role}, {@code model}, empty {@code content}, null {@code stop_reason} and
 * {@code stop_sequence}, and {@code usage} with the input and cache counts, {@code cache_creation},
 * {@code "output_tokens":1} and {@code service_tier}), {@code content_block_start} (an empty text
 * block), one {@code ping} (written by the API as {@code {"type": "ping"}}, with a space), {@code
 * content_block_delta} events with {@code text_delta}s, {@code content_block_stop}, {@code
 * message_delta} ({@code stop_reason} {@code end_turn} and the final usage) and {@code
 * message_stop}.
 *
 * <p>Anthropic's deltas carry several tokens: by default each event takes 1 to 4 tokens of the
 * tokenizer (Claude's own tokenizer is not public, so the cuts are o200k's or the chosen one's,
 * merged). Checked against the streaming reference (platform.claude.com/docs/en/build-with-claude/
 * streaming: the event order, {@code ping}, {@code text_delta}, {@code message_delta} usage) and
 * public captures of claude-sonnet-4-5 and claude-sonnet-4-6 streams (the {@code usage} members,
 * the unspaced JSON, the spaced ping).
 */
public final class AnthropicMessages implements FamilyBuilder {
  static final String MODEL = "claude-sonnet-4-5-20250929";
  static final int TOKENS_PER_EVENT = 4;

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    String id = "msg_01" + Ids.base58(random, 22);
    int perEvent = options.tokensPerEvent() == 0 ? TOKENS_PER_EVENT : options.tokensPerEvent();
    List<String> pieces = EventPieces.of(text, tokenizer, random, perEvent);
    int input = options.promptTokens();
    List<byte[]> writes = new ArrayList<>(pieces.size() + 6);

    JsonWriter start = json("message_start").key("message").beginObject();
    start.field("id", id).field("type", "message").field("role", "assistant");
    start.field("model", options.modelOr(MODEL)).emptyArray("content");
    start.fieldNull("stop_reason").fieldNull("stop_sequence").key("usage").beginObject();
    start.field("input_tokens", input).field("cache_creation_input_tokens", 0);
    start.field("cache_read_input_tokens", 0).key("cache_creation").beginObject();
    start.field("ephemeral_5m_input_tokens", 0).field("ephemeral_1h_input_tokens", 0).endObject();
    start.field("output_tokens", 1).field("service_tier", "standard").endObject().endObject();
    writes.add(Sse.named("message_start", start.endObject().toString()));

    JsonWriter block = json("content_block_start").field("index", 0).key("content_block");
    block.beginObject().field("type", "text").field("text", "").endObject();
    writes.add(Sse.named("content_block_start", block.endObject().toString()));
    writes.add(Sse.named("ping", "{\"type\": \"ping\"}"));

    for (String piece : pieces) {
      JsonWriter d = json("content_block_delta").field("index", 0).key("delta").beginObject();
      d.field("type", "text_delta").field("text", piece).endObject();
      writes.add(Sse.named("content_block_delta", d.endObject().toString()));
    }
    writes.add(
        Sse.named(
            "content_block_stop",
            json("content_block_stop").field("index", 0).endObject().toString()));

    JsonWriter delta = json("message_delta").key("delta").beginObject();
    delta.field("stop_reason", "end_turn").fieldNull("stop_sequence").endObject();
    delta.key("usage").beginObject().field("input_tokens", input);
    delta.field("cache_creation_input_tokens", 0).field("cache_read_input_tokens", 0);
    delta.field("output_tokens", tokenizer.count(text)).endObject();
    writes.add(Sse.named("message_delta", delta.endObject().toString()));
    writes.add(Sse.named("message_stop", json("message_stop").endObject().toString()));
    return new FamilyStream(Family.ANTHROPIC, writes, pieces, text);
  }

  private static JsonWriter json(String type) {
    return JsonWriter.compact(JsonDialect.SERDE).beginObject().field("type", type);
  }
}
