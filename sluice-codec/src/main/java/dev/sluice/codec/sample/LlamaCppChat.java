package dev.sluice.codec.sample;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * {@code llamacpp}: llama.cpp's {@code llama-server} {@code /v1/chat/completions} stream. The
 * server builds each chunk as an {@code nlohmann::ordered_json} in its own key order: {@code
 * choices} first (each choice {@code finish_reason}, {@code index}, {@code delta}), then {@code
 * created} (the second each chunk is made), {@code id} ({@code chatcmpl-} and 32 alphanumerics),
 * {@code model} (often the GGUF file name), {@code system_fingerprint} ({@code b<build>-<commit>})
 * and {@code object}. The first chunk's delta is {@code {"role":"assistant","content":null}}, one
 * chunk per token follows, the finish chunk has an empty delta; with {@code include_usage} a chunk
 * with {@code "choices":[]} and {@code usage} ({@code completion_tokens}, {@code prompt_tokens},
 * {@code total_tokens}, {@code prompt_tokens_details}) follows. The last chunk carries the {@code
 * timings} object (prompt and generation counts, milliseconds and rates as C++ doubles, written in
 * shortest round-trip form). Then {@code data: [DONE]}.
 *
 * <p>Source: llama.cpp's {@code tools/server/server.cpp} ({@code to_json_oaicompat_chat_stream},
 * {@code result_timings::to_json}, {@code format_sse}); checked against public captures of
 * llama-server streams from builds b6925 and b9020 (late 2025 to 2026). nlohmann's {@code dump}
 * escapes like serde and writes UTF-8 raw.
 */
public final class LlamaCppChat implements FamilyBuilder {
  static final String MODEL = "Qwen2.5-7B-Instruct-Q4_K_M.gguf";

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    EventClock clock = new EventClock(options.createdEpochSecond(), random);
    Meta meta =
        new Meta(
            "chatcmpl-" + Ids.base62(random, 32),
            options.modelOr(MODEL),
            "b" + (4000 + random.nextInt(6000)) + "-" + Ids.hex(random, 9));
    List<String> pieces = EventPieces.of(text, tokenizer, random, options.tokensPerEvent());
    List<byte[]> writes = new ArrayList<>(pieces.size() + 4);
    writes.add(
        chunk(meta, clock, null, w -> w.field("role", "assistant").fieldNull("content"), null));
    for (String piece : pieces) {
      clock.tick();
      writes.add(chunk(meta, clock, null, w -> w.field("content", piece), null));
    }
    int predicted = tokenizer.count(text);
    int prompt = options.promptTokens();
    String timings = timings(random, prompt, predicted, clock);
    clock.tick();
    if (options.includeUsage()) {
      writes.add(chunk(meta, clock, "stop", w -> {}, null));
      JsonWriter u = JsonWriter.compact(JsonDialect.SERDE).beginObject().emptyArray("choices");
      meta.members(u, clock).key("usage").beginObject().field("completion_tokens", predicted);
      u.field("prompt_tokens", prompt).field("total_tokens", prompt + predicted);
      u.key("prompt_tokens_details").beginObject().field("cached_tokens", 0).endObject();
      u.endObject().key("timings").raw(timings);
      writes.add(Sse.data(u.endObject().toString()));
    } else {
      writes.add(chunk(meta, clock, "stop", w -> {}, timings));
    }
    writes.add(Sse.DONE);
    return new FamilyStream(Family.LLAMACPP, writes, pieces, text);
  }

  /** One chunk with one choice; {@code timings} (JSON) is added when not null. */
  private static byte[] chunk(
      Meta meta, EventClock clock, String finish, Consumer<JsonWriter> delta, String timings) {
    JsonWriter w = JsonWriter.compact(JsonDialect.SERDE).beginObject().key("choices").beginArray();
    w.beginObject().field("finish_reason", finish).field("index", 0).key("delta").beginObject();
    delta.accept(w);
    w.endObject().endObject().endArray();
    meta.members(w, clock);
    if (timings != null) {
      w.key("timings").raw(timings);
    }
    return Sse.data(w.endObject().toString());
  }

  /** The {@code timings} object: milliseconds as llama.cpp measures them (microsecond ticks). */
  private static String timings(
      SplittableRandom random, int prompt, int predicted, EventClock clock) {
    double promptMs = (5_000 + random.nextInt(400_000)) / 1000.0;
    double predictedMs = Math.max(1, clock.elapsedNanos() / 1000) / 1000.0;
    JsonWriter t = JsonWriter.compact(JsonDialect.SERDE).beginObject().field("cache_n", 0);
    t.field("prompt_n", prompt).key("prompt_ms").rawNumber(number(promptMs));
    t.key("prompt_per_token_ms").rawNumber(number(promptMs / Math.max(1, prompt)));
    t.key("prompt_per_second").rawNumber(number(1e3 / promptMs * prompt));
    t.field("predicted_n", predicted).key("predicted_ms").rawNumber(number(predictedMs));
    t.key("predicted_per_token_ms").rawNumber(number(predictedMs / Math.max(1, predicted)));
    t.key("predicted_per_second").rawNumber(number(1e3 / predictedMs * predicted));
    return t.endObject().toString();
  }

  /** A double as nlohmann writes one: shortest round-trip digits, never an exponent here. */
  static String number(double d) {
    String s = Double.toString(d);
    return s.indexOf('E') < 0 ? s : new BigDecimal(s).toPlainString();
  }

  /** What every chunk repeats after {@code choices}. */
  private record Meta(String id, String model, String fingerprint) {
    JsonWriter members(JsonWriter w, EventClock clock) {
      w.field("created", clock.epochSecond()).field("id", id).field("model", model);
      return w.field("system_fingerprint", fingerprint).field("object", "chat.completion.chunk");
    }
  }
}
