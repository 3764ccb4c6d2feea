package dev.sluice.codec.sample;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code openai-json}: OpenAI's {@code POST /v1/chat/completions} without streaming: one {@code
 * chat.completion} object, pretty-printed with two-space indents as the API returns it, and a final
 * newline: {@code id}, {@code object}, {@code created}, {@code model}, {@code choices} (the message
 * with {@code role}, {@code content}, {@code "refusal": null}, {@code "annotations": []}, then
 * {@code "logprobs": null}, {@code finish_reason}), {@code usage} with its details objects, {@code
 * service_tier}, {@code system_fingerprint}.
 *
 * <p>Checked against the API reference's chat completion object
 * (platform.openai.com/docs/api-reference/chat/object) and public captures of gpt-4o responses
 * (member order, the usage details). The trailing newline is as curl shows the body; not verified
 * byte for byte against a live response.
 */
public final class OpenAiJson implements FamilyBuilder {

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    String id = "chatcmpl-" + Ids.base62(random, 29);
    String fingerprint = "fp_" + Ids.hex(random, 10);
    int prompt = options.promptTokens();
    int completion = tokenizer.count(text);
    JsonWriter w = new JsonWriter(JsonDialect.SERDE, JsonWriter.Layout.PRETTY).beginObject();
    w.field("id", id).field("object", "chat.completion");
    w.field("created", options.createdEpochSecond())
        .field("model", options.modelOr(OpenAiChunks.MODEL));
    w.key("choices").beginArray().beginObject().field("index", 0).key("message").beginObject();
    w.field("role", "assistant").field("content", text).fieldNull("refusal");
    w.emptyArray("annotations").endObject().fieldNull("logprobs").field("finish_reason", "stop");
    w.endObject().endArray().key("usage").beginObject().field("prompt_tokens", prompt);
    w.field("completion_tokens", completion).field("total_tokens", prompt + completion);
    w.key("prompt_tokens_details").beginObject().field("cached_tokens", 0);
    w.field("audio_tokens", 0).endObject().key("completion_tokens_details").beginObject();
    w.field("reasoning_tokens", 0).field("audio_tokens", 0);
    w.field("accepted_prediction_tokens", 0).field("rejected_prediction_tokens", 0).endObject();
    w.endObject().field("service_tier", "default").field("system_fingerprint", fingerprint);
    byte[] body = (w.endObject() + "\n").getBytes(StandardCharsets.UTF_8);
    return new FamilyStream(Family.OPENAI_JSON, List.of(body), List.of(text), text);
  }
}
