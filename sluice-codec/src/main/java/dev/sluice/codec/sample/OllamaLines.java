package dev.sluice.codec.sample;

import java.util.SplittableRandom;

/**
 * What Ollama's {@code /api/chat} and {@code /api/generate} responses share: Go's {@code
 * encoding/json} ({@link JsonDialect#GO}: HTML characters escaped, non-ASCII raw), the {@code
 * model} and {@code created_at} each line starts with ({@link GoTime}, advancing by the {@link
 * EventClock}'s jittered interval per token), and the {@code Metrics} members of the last line,
 * each omitted when zero as Go's {@code omitempty} does. Source: ollama's {@code api/types.go}
 * ({@code ChatResponse}, {@code GenerateResponse}, {@code Metrics}) and {@code server/routes.go}
 * (one {@code json.Marshal} and a newline per line, {@code application/x-ndjson}).
 */
final class OllamaLines {
  static final String MODEL = "llama3.2";

  private final SplittableRandom random;
  private final EventClock clock;
  private final String model;
  private final long loadNanos;
  private final long promptEvalNanos;
  private final int promptTokens;

  OllamaLines(SplittableRandom random, SampleOptions options) {
    this.random = random;
    this.model = options.modelOr(MODEL);
    this.clock = new EventClock(options.createdEpochSecond(), random);
    this.loadNanos = 2_000_000L + random.nextLong(60_000_000L);
    this.promptEvalNanos = 10_000_000L + random.nextLong(190_000_000L);
    this.promptTokens = options.promptTokens();
    clock.advance(loadNanos + promptEvalNanos);
  }

  /** A line's writer with {@code model} and {@code created_at} of the next event written. */
  JsonWriter next() {
    clock.tick();
    return JsonWriter.compact(JsonDialect.GO)
        .beginObject()
        .field("model", model)
        .field("created_at", GoTime.rfc3339Nano(clock.epochNanos()));
  }

  /** The metrics members of the last line, for {@code evalCount} generated tokens. */
  void metrics(JsonWriter w, int evalCount) {
    long eval = clock.elapsedNanos() - loadNanos - promptEvalNanos;
    long total = clock.elapsedNanos() + 200_000L + random.nextLong(2_000_000L);
    omitEmpty(w, "total_duration", total);
    omitEmpty(w, "load_duration", loadNanos);
    omitEmpty(w, "prompt_eval_count", promptTokens);
    omitEmpty(w, "prompt_eval_duration", promptEvalNanos);
    omitEmpty(w, "eval_count", evalCount);
    omitEmpty(w, "eval_duration", eval);
  }

  int promptTokens() {
    return promptTokens;
  }

  private static void omitEmpty(JsonWriter w, String name, long value) {
    if (value != 0) {
      w.field(name, value);
    }
  }
}
