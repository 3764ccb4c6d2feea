package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code ollama-chat}: Ollama's {@code POST /api/chat} streamed as newline-delimited JSON, one line
 * per token: {@code {"model":..,"created_at":..,"message":{"role":"assistant","content":".."},
 * "done":false}}, then the last line with empty content, {@code "done_reason":"stop"}, {@code
 * "done":true} and the metrics ({@code total_duration}, {@code load_duration}, {@code
 * prompt_eval_count}, {@code prompt_eval_duration}, {@code eval_count}, {@code eval_duration}, in
 * nanoseconds). Field order is the Go struct's: {@code done_reason} before {@code done}. See {@link
 * OllamaLines} for the encoder and sources; checked also against the examples of ollama's {@code
 * docs/api.md}.
 */
public final class OllamaChat implements FamilyBuilder {

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    OllamaLines lines = new OllamaLines(random, options);
    List<String> pieces = EventPieces.of(text, tokenizer, random, options.tokensPerEvent());
    List<byte[]> writes = new ArrayList<>(pieces.size() + 1);
    for (String piece : pieces) {
      JsonWriter w = lines.next();
      message(w, piece).key("done").bool(false);
      writes.add(Sse.line(w.endObject().toString()));
    }
    JsonWriter last = lines.next();
    message(last, "").field("done_reason", "stop").key("done").bool(true);
    lines.metrics(last, tokenizer.count(text));
    writes.add(Sse.line(last.endObject().toString()));
    return new FamilyStream(Family.OLLAMA_CHAT, writes, pieces, text);
  }

  static JsonWriter message(JsonWriter w, String content) {
    return w.key("message")
        .beginObject()
        .field("role", "assistant")
        .field("content", content)
        .endObject();
  }
}
