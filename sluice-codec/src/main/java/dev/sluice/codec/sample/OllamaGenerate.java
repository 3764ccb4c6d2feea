package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code ollama-generate}: Ollama's {@code POST /api/generate} streamed as newline-delimited JSON:
 * {@code {"model":..,"created_at":..,"response":"..","done":false}} per token, then the last line
 * with an empty {@code response}, {@code "done":true}, {@code "done_reason":"stop"} (after {@code
 * done} in this struct), the {@code context} array (the token ids of prompt and answer, which a
 * client sends back for a follow-up; here random prompt ids and the tokenizer's ids of the answer)
 * and the metrics. See {@link OllamaLines} for the encoder and sources.
 */
public final class OllamaGenerate implements FamilyBuilder {

  /** Vocabulary size the random prompt ids of {@code context} are drawn below (Llama 3's). */
  static final int PROMPT_ID_BOUND = 128_256;

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    OllamaLines lines = new OllamaLines(random, options);
    List<String> pieces = EventPieces.of(text, tokenizer, random, options.tokensPerEvent());
    List<byte[]> writes = new ArrayList<>(pieces.size() + 1);
    for (String piece : pieces) {
      JsonWriter w = lines.next().field("response", piece).key("done").bool(false);
      writes.add(Sse.line(w.endObject().toString()));
    }
    int[] answerIds = tokenizer.ids(text);
    JsonWriter last = lines.next().field("response", "").key("done").bool(true);
    last.field("done_reason", "stop").key("context").beginArray();
    for (int i = 0; i < lines.promptTokens(); i++) {
      last.number(random.nextInt(PROMPT_ID_BOUND));
    }
    for (int id : answerIds) {
      last.number(id);
    }
    last.endArray();
    lines.metrics(last, answerIds.length);
    writes.add(Sse.line(last.endObject().toString()));
    return new FamilyStream(Family.OLLAMA_GENERATE, writes, pieces, text);
  }
}
