package dev.sluice.codec.sample;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code ollama-json}: Ollama's {@code POST /api/chat} with {@code "stream": false}: the one {@code
 * ChatResponse} object, compact, with the whole answer as {@code message.content}, {@code
 * done_reason}, {@code done} and the metrics, written by gin's {@code c.JSON} (no trailing
 * newline). See {@link OllamaLines} for the encoder and sources.
 */
public final class OllamaJson implements FamilyBuilder {

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    OllamaLines lines = new OllamaLines(random, options);
    int tokens = tokenizer.count(text);
    for (int i = 0; i < tokens; i++) {
      lines.next();
    }
    JsonWriter w = lines.next();
    OllamaChat.message(w, text).field("done_reason", "stop").key("done").bool(true);
    lines.metrics(w, tokens);
    byte[] body = w.endObject().toString().getBytes(StandardCharsets.UTF_8);
    return new FamilyStream(Family.OLLAMA_JSON, List.of(body), List.of(text), text);
  }
}
