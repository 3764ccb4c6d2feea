package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code tgi}: Hugging Face text-generation-inference's {@code /v1/chat/completions} stream. The
 * router serialises {@code CompletionType::ChatCompletionChunk} with serde as an internally tagged
 * enum, so {@code "object":"chat.completion.chunk"} comes first, then {@code "id":""} (TGI leaves
 * it empty), {@code created} (the time of each token), {@code model}, {@code system_fingerprint}
 * (version and backend, e.g. {@code 2.4.1-native}), {@code choices} and {@code "usage":null}. There
 * is no role chunk: every delta is {@code {"role":"assistant","content":".."}}, one per token; the
 * end-of-sequence token, a special token, arrives as empty content with {@code
 * "finish_reason":"stop"}. With {@code include_usage} a chunk with {@code "choices":[]} and the
 * usage follows (completion tokens count the end-of-sequence token); then {@code data: [DONE]}.
 *
 * <p>Source: TGI's {@code router/src/lib.rs} ({@code ChatCompletionChunk}, {@code
 * ChatCompletionChoice}, {@code TextMessage}, {@code CompletionType}) and {@code
 * router/src/chat.rs} ({@code create_event_from_stream_token}, the usage chunk); checked against
 * captures of TGI 2.1 to 3.0 streams in Hugging Face's own docs and clients.
 */
public final class TgiChat implements FamilyBuilder {
  static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
  static final String FINGERPRINT = "2.4.1-native";

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    EventClock clock = new EventClock(options.createdEpochSecond(), random);
    String model = options.modelOr(MODEL);
    List<String> pieces = EventPieces.of(text, tokenizer, random, options.tokensPerEvent());
    List<byte[]> writes = new ArrayList<>(pieces.size() + 3);
    for (String piece : pieces) {
      clock.tick();
      writes.add(chunk(clock.epochSecond(), model, piece, null));
    }
    clock.tick();
    writes.add(chunk(clock.epochSecond(), model, "", "stop"));
    if (options.includeUsage()) {
      int completion = tokenizer.count(text) + 1;
      JsonWriter w = head(clock.epochSecond(), model).endArray().key("usage").beginObject();
      w.field("prompt_tokens", options.promptTokens()).field("completion_tokens", completion);
      w.field("total_tokens", options.promptTokens() + completion).endObject();
      writes.add(Sse.data(w.endObject().toString()));
    }
    writes.add(Sse.DONE);
    return new FamilyStream(Family.TGI, writes, pieces, text);
  }

  private static byte[] chunk(long created, String model, String content, String finish) {
    JsonWriter w = head(created, model).beginObject().field("index", 0).key("delta");
    w.beginObject().field("role", "assistant").field("content", content).endObject();
    w.fieldNull("logprobs").field("finish_reason", finish).endObject().endArray();
    return Sse.data(w.fieldNull("usage").endObject().toString());
  }

  private static JsonWriter head(long created, String model) {
    return JsonWriter.compact(JsonDialect.SERDE)
        .beginObject()
        .field("object", "chat.completion.chunk")
        .field("id", "")
        .field("created", created)
        .field("model", model)
        .field("system_fingerprint", FINGERPRINT)
        .key("choices")
        .beginArray();
  }
}
