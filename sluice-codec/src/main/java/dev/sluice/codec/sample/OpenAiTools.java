package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code openai-tools}: the same OpenAI stream as {@link OpenAiChat} when the model calls a tool.
 * The answer becomes the call's JSON arguments, {@code {"query": "<first sentence>", "notes": "<the
 * rest>"}} (as models write them, with spaces, and JSON escapes of their own), and those arguments
 * are streamed cut by the tokenizer: the first chunk carries {@code "role":"assistant",
 * "content":null}, the call's {@code index}, {@code id} ({@code call_} and 24 base62 characters),
 * {@code type}, {@code function.name} and empty {@code arguments}, then {@code "refusal":null};
 * each later chunk carries {@code "tool_calls":[{"index":0,"function":{"arguments":"..."}}]}; the
 * finish chunk says {@code "finish_reason":"tool_calls"}.
 *
 * <p>Checked against a live gpt-4o-2024-08-06 tool-call capture of late 2025 (a Rust gateway's
 * OpenAI-to-Anthropic test fixture, with obfuscation) and the API reference's {@code
 * ChoiceDeltaToolCall}. The concatenated argument pieces are the arguments string; its {@code
 * query} and {@code notes} concatenated are the answer.
 */
public final class OpenAiTools implements FamilyBuilder {
  static final String FUNCTION = "record_answer";

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    OpenAiChunks chunks = new OpenAiChunks(random, options);
    String callId = "call_" + Ids.base62(random, 24);
    String arguments = arguments(text);
    List<String> pieces = EventPieces.of(arguments, tokenizer, random, options.tokensPerEvent());
    List<byte[]> writes = new ArrayList<>(pieces.size() + 4);
    writes.add(
        chunks.chunk(
            w -> {
              w.beginObject().field("index", 0).key("delta").beginObject();
              w.field("role", "assistant").fieldNull("content").key("tool_calls").beginArray();
              w.beginObject().field("index", 0).field("id", callId).field("type", "function");
              w.key("function").beginObject().field("name", FUNCTION).field("arguments", "");
              w.endObject().endObject().endArray().fieldNull("refusal").endObject();
              w.fieldNull("logprobs").fieldNull("finish_reason").endObject();
            },
            OpenAiChunks.ROLE));
    for (String piece : pieces) {
      writes.add(
          chunks.chunk(
              w -> {
                w.beginObject().field("index", 0).key("delta").beginObject();
                w.key("tool_calls").beginArray().beginObject().field("index", 0);
                w.key("function").beginObject().field("arguments", piece).endObject();
                w.endObject().endArray().endObject();
                w.fieldNull("logprobs").fieldNull("finish_reason").endObject();
              },
              piece.length()));
    }
    chunks.close(writes, "tool_calls", options.promptTokens(), () -> tokenizer.count(arguments));
    return new FamilyStream(Family.OPENAI_TOOLS, writes, pieces, text);
  }

  /** The call's arguments for {@code text}: its first sentence as the query, the rest as notes. */
  static String arguments(String text) {
    int cut = firstSentenceEnd(text);
    return "{\"query\": "
        + JsonDialect.SERDE.quote(text.substring(0, cut))
        + ", \"notes\": "
        + JsonDialect.SERDE.quote(text.substring(cut))
        + "}";
  }

  /**
   * The end of the first sentence: after the first . ! or ? that ends the text or meets a space.
   */
  static int firstSentenceEnd(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c == '.' || c == '!' || c == '?')
          && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)))) {
        return i + 1;
      }
    }
    return text.length();
  }
}
