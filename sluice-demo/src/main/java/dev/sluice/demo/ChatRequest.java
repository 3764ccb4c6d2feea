package dev.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The parts of a {@code POST /v1/chat/completions} body that the demo server acts on, plus the
 * whole body so that an {@link AnswerSource} can read extension fields.
 *
 * @param model the requested model, echoed in the response
 * @param messages the conversation, in order; never empty
 * @param stream whether the client asked for server-sent events
 * @param includeUsage {@code stream_options.include_usage}: send a usage chunk before {@code
 *     [DONE]}
 * @param maxTokens {@code max_completion_tokens} or else {@code max_tokens}, if given: the answer
 *     is cut after this many pieces and finishes with {@code "length"}
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    boolean stream,
    boolean includeUsage,
    OptionalInt maxTokens,
    ObjectNode body) {

  public ChatRequest {
    Objects.requireNonNull(model, "model");
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("messages must not be empty");
    }
    Objects.requireNonNull(maxTokens, "maxTokens");
    body = Objects.requireNonNull(body, "body").deepCopy();
  }

  /** A copy of the request body, so callers cannot change what other readers see. */
  @Override
  public ObjectNode body() {
    return body.deepCopy();
  }

  /** A top-level field of the body that OpenAI does not define, for example a test's hint. */
  public Optional<JsonNode> extension(String name) {
    JsonNode v = body.get(name);
    return v == null ? Optional.empty() : Optional.of(v.deepCopy());
  }

  /** The content of the last {@code user} message, or the empty string if there is none. */
  public String lastUserMessage() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role().equals("user")) {
        return messages.get(i).content();
      }
    }
    return "";
  }

  /** The o200k tokens of all messages' contents, reported as {@code usage.prompt_tokens}. */
  public int promptTokens() {
    int n = 0;
    for (ChatMessage m : messages) {
      n += Completion.tokenizer().count(m.content());
    }
    return n;
  }
}
