package dev.sluice.codec.sample;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

/**
 * The envelope every {@code chat.completion.chunk} of one OpenAI response repeats, in the API's
 * field order: {@code id} ({@code chatcmpl-} and 29 base62 characters), {@code object}, {@code
 * created}, {@code model}, {@code service_tier}, {@code system_fingerprint} ({@code fp_} and 10 hex
 * digits), {@code choices}, then {@code "usage":null} when the client asked for usage and {@code
 * obfuscation} unless it opted out. Shared by {@link OpenAiChat} and {@link OpenAiTools}.
 *
 * <p>Obfuscation lengths follow captures of the live API: per stream a target length (the role
 * chunk two short of it), each delta padded up to it (empty when the delta is longer), the finish
 * chunk 1 to 3 characters, the usage chunk 8 to 15. The exact rule is OpenAI's and unpublished.
 */
final class OpenAiChunks {
  static final String MODEL = "gpt-4o-2024-08-06";

  /** Text length that marks the role chunk and the finish chunk for obfuscation. */
  static final int ROLE = -1;

  static final int FINISH = -2;

  private final SplittableRandom random;
  private final String id;
  private final long created;
  private final String model;
  private final String fingerprint;
  private final boolean usage;
  private final boolean obfuscation;
  private final int padTo;

  OpenAiChunks(SplittableRandom random, SampleOptions options) {
    this.random = random;
    this.id = "chatcmpl-" + Ids.base62(random, 29);
    this.fingerprint = "fp_" + Ids.hex(random, 10);
    this.padTo = 6 + random.nextInt(12);
    this.created = options.createdEpochSecond();
    this.model = options.modelOr(MODEL);
    this.usage = options.includeUsage();
    this.obfuscation = options.obfuscation();
  }

  /**
   * One chunk whose single choice {@code choice} writes (a whole object).
   *
   * @param textChars the length of the delta's text, or {@link #ROLE} or {@link #FINISH}
   */
  byte[] chunk(Consumer<JsonWriter> choice, int textChars) {
    JsonWriter w = head();
    choice.accept(w);
    w.endArray();
    if (usage) {
      w.fieldNull("usage");
    }
    return end(w, padding(textChars));
  }

  /**
   * Adds the writes that close a stream: the chunk whose choice finishes with {@code finishReason}
   * (an empty delta), the usage chunk when the client asked for it, then {@code [DONE]}.
   */
  void close(List<byte[]> writes, String finishReason, int promptTokens, IntSupplier completion) {
    writes.add(
        chunk(
            w ->
                w.beginObject()
                    .field("index", 0)
                    .emptyObject("delta")
                    .fieldNull("logprobs")
                    .field("finish_reason", finishReason)
                    .endObject(),
            FINISH));
    if (usage) {
      writes.add(usage(promptTokens, completion.getAsInt()));
    }
    writes.add(done());
  }

  /** The last chunk: no choices, the usage with its details objects. */
  byte[] usage(int promptTokens, int completionTokens) {
    JsonWriter w = head().endArray();
    w.key("usage")
        .beginObject()
        .field("prompt_tokens", promptTokens)
        .field("completion_tokens", completionTokens)
        .field("total_tokens", promptTokens + completionTokens);
    w.key("prompt_tokens_details")
        .beginObject()
        .field("cached_tokens", 0)
        .field("audio_tokens", 0)
        .endObject();
    w.key("completion_tokens_details")
        .beginObject()
        .field("reasoning_tokens", 0)
        .field("audio_tokens", 0)
        .field("accepted_prediction_tokens", 0)
        .field("rejected_prediction_tokens", 0)
        .endObject()
        .endObject();
    return end(w, 8 + random.nextInt(8));
  }

  private JsonWriter head() {
    return JsonWriter.compact(JsonDialect.SERDE)
        .beginObject()
        .field("id", id)
        .field("object", "chat.completion.chunk")
        .field("created", created)
        .field("model", model)
        .field("service_tier", "default")
        .field("system_fingerprint", fingerprint)
        .key("choices")
        .beginArray();
  }

  private int padding(int textChars) {
    if (textChars == ROLE) {
      return Math.max(1, padTo - 2);
    }
    if (textChars == FINISH) {
      return 1 + random.nextInt(3);
    }
    return Math.max(0, padTo - textChars);
  }

  private byte[] end(JsonWriter w, int obfuscationChars) {
    if (obfuscation) {
      w.field("obfuscation", Ids.base62(random, obfuscationChars));
    }
    return Sse.data(w.endObject().toString());
  }

  static byte[] done() {
    return "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
  }
}
