package dev.sluice.codec.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code openai-responses}: OpenAI's {@code POST /v1/responses} with {@code "stream": true}: named
 * events ({@code event: response.output_text.delta} then {@code data:} JSON) whose payloads carry
 * {@code type} first and {@code sequence_number} counting from 0. In order: {@code
 * response.created} and {@code response.in_progress} (the whole response object, {@code
 * "status":"in_progress"}, {@code "output":[]}, {@code "usage":null}), {@code
 * response.output_item.added} (a message item), {@code response.content_part.added}, one {@code
 * response.output_text.delta} per token (with {@code item_id}, {@code output_index}, {@code
 * content_index}, {@code delta} and {@code "logprobs":[]}), {@code response.output_text.done} (the
 * whole text), {@code response.content_part.done} and {@code response.output_item.done} (the text
 * twice more), and {@code response.completed} (the response object with the output and the usage).
 * No {@code [DONE]}.
 *
 * <p>Since the end of 2025 the API writes the members of these events after {@code type} in
 * alphabetical order, and the response object gained {@code completed_at}, {@code
 * frequency_penalty}, {@code presence_penalty} and {@code prompt_cache_retention}; this builder
 * writes that current form, checked against a live gpt-4o-2024-08-06 capture of January 2026 (a
 * Swift SDK's test fixture) and, for the older order, an October 2025 capture; field meanings from
 * platform.openai.com/docs/api-reference/responses-streaming. Ids are {@code resp_} and {@code
 * msg_} followed by 50 hex digits that, as in the captures, share a 16-digit prefix and embed the
 * creation second. Obfuscation (option) pads each delta to 16 characters, as the captures do.
 */
public final class OpenAiResponses implements FamilyBuilder {

  @Override
  public FamilyStream build(
      String text, Tokenizer tokenizer, SplittableRandom random, SampleOptions options) {
    String model = options.modelOr(OpenAiChunks.MODEL);
    long created = options.createdEpochSecond();
    EventClock clock = new EventClock(created, random);
    String prefix = Ids.hex(random, 16) + "0";
    String responseId = "resp_" + id(prefix, created, random);
    clock.tick();
    String itemId = "msg_" + id(prefix, clock.epochSecond(), random);
    List<String> pieces = EventPieces.of(text, tokenizer, random, options.tokensPerEvent());
    Response r = new Response(responseId, created, model, options.promptTokens());

    List<byte[]> writes = new ArrayList<>(pieces.size() + 8);
    int seq = 0;
    writes.add(event("response.created", w -> r.write(w, null, null, 0, 0), seq++));
    writes.add(event("response.in_progress", w -> r.write(w, null, null, 0, 0), seq++));
    writes.add(
        event(
            "response.output_item.added",
            w -> {
              w.key("item");
              item(w, itemId, null);
              w.field("output_index", 0);
            },
            seq++));
    writes.add(
        event(
            "response.content_part.added",
            w -> {
              w.field("content_index", 0).field("item_id", itemId).field("output_index", 0);
              w.key("part");
              part(w, "");
            },
            seq++));
    for (String piece : pieces) {
      clock.tick();
      writes.add(
          event(
              "response.output_text.delta",
              w -> {
                w.field("content_index", 0).field("delta", piece).field("item_id", itemId);
                w.emptyArray("logprobs");
                if (options.obfuscation()) {
                  w.field("obfuscation", Ids.base62(random, Math.max(0, 16 - piece.length())));
                }
                w.field("output_index", 0);
              },
              seq++));
    }
    int textDone = seq++;
    writes.add(
        event(
            "response.output_text.done",
            w -> {
              w.field("content_index", 0).field("item_id", itemId).emptyArray("logprobs");
              w.field("output_index", 0).field("sequence_number", textDone).field("text", text);
            },
            -1));
    writes.add(
        event(
            "response.content_part.done",
            w -> {
              w.field("content_index", 0).field("item_id", itemId).field("output_index", 0);
              w.key("part");
              part(w, text);
            },
            seq++));
    writes.add(
        event(
            "response.output_item.done",
            w -> {
              w.key("item");
              item(w, itemId, text);
              w.field("output_index", 0);
            },
            seq++));
    clock.tick();
    long completedAt = clock.epochSecond();
    int outputTokens = tokenizer.count(text);
    writes.add(
        event("response.completed", w -> r.write(w, itemId, text, completedAt, outputTokens), seq));
    return new FamilyStream(Family.OPENAI_RESPONSES, writes, pieces, text);
  }

  /** 16 hex digits shared by a response's ids, 0 or 1, the second in hex, 24 more hex digits. */
  private static String id(String prefix, long second, SplittableRandom random) {
    return prefix
        + random.nextInt(2)
        + String.format("%08x", second)
        + Ids.hex(random, 4)
        + "819"
        + Ids.hex(random, 17);
  }

  @FunctionalInterface
  private interface Members {
    void write(JsonWriter w);
  }

  /**
   * One event: {@code type}, the members, then {@code sequence_number} (unless {@code seq < 0}).
   */
  private static byte[] event(String type, Members members, int seq) {
    JsonWriter w = JsonWriter.compact(JsonDialect.SERDE).beginObject().field("type", type);
    members.write(w);
    if (seq >= 0) {
      w.field("sequence_number", seq);
    }
    return Sse.named(type, w.endObject().toString());
  }

  /** A message item: in progress with no content, or completed with its text. */
  private static void item(JsonWriter w, String id, String text) {
    w.beginObject().field("id", id).field("type", "message");
    w.field("status", text == null ? "in_progress" : "completed").key("content").beginArray();
    if (text != null) {
      part(w, text);
    }
    w.endArray().field("role", "assistant").endObject();
  }

  private static void part(JsonWriter w, String text) {
    w.beginObject().field("type", "output_text").emptyArray("annotations").emptyArray("logprobs");
    w.field("text", text).endObject();
  }

  /** The response object of created, in_progress and completed. */
  private static final class Response {
    private final String id;
    private final long created;
    private final String model;
    private final int inputTokens;

    Response(String id, long created, String model, int inputTokens) {
      this.id = id;
      this.created = created;
      this.model = model;
      this.inputTokens = inputTokens;
    }

    /** In progress when {@code itemId} is null, else completed with that message. */
    void write(JsonWriter w, String itemId, String text, long completedAt, int outputTokens) {
      boolean done = itemId != null;
      w.key("response")
          .beginObject()
          .field("id", id)
          .field("object", "response")
          .field("created_at", created);
      w.field("status", done ? "completed" : "in_progress").key("background").bool(false);
      if (done) {
        w.field("completed_at", completedAt);
      } else {
        w.fieldNull("completed_at");
      }
      w.fieldNull("error").key("frequency_penalty").rawNumber("0.0");
      w.fieldNull("incomplete_details").fieldNull("instructions").fieldNull("max_output_tokens");
      w.fieldNull("max_tool_calls").field("model", model).key("output").beginArray();
      if (done) {
        item(w, itemId, text);
      }
      w.endArray().key("parallel_tool_calls").bool(true).key("presence_penalty").rawNumber("0.0");
      w.fieldNull("previous_response_id").fieldNull("prompt_cache_key");
      w.fieldNull("prompt_cache_retention").key("reasoning").beginObject();
      w.fieldNull("effort").fieldNull("summary").endObject().fieldNull("safety_identifier");
      w.field("service_tier", done ? "default" : "auto").key("store").bool(true);
      w.key("temperature").rawNumber("1.0").key("text").beginObject().key("format").beginObject();
      w.field("type", "text").endObject().field("verbosity", "medium").endObject();
      w.field("tool_choice", "auto").emptyArray("tools").field("top_logprobs", 0);
      w.key("top_p").rawNumber("1.0").field("truncation", "disabled");
      if (done) {
        int in = inputTokens;
        w.key("usage").beginObject().field("input_tokens", in).key("input_tokens_details");
        w.beginObject().field("cached_tokens", 0).endObject().field("output_tokens", outputTokens);
        w.key("output_tokens_details").beginObject().field("reasoning_tokens", 0).endObject();
        w.field("total_tokens", in + outputTokens).endObject();
      } else {
        w.fieldNull("usage");
      }
      w.fieldNull("user").emptyObject("metadata").endObject();
    }
  }
}
