package dev.sluice.demo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Reads a chat completion request body into a {@link ChatRequest}, or throws {@link
 * InvalidRequestException} with a message like OpenAI's. Accepts what the OpenAI API accepts for
 * the fields it reads ({@code content} as a string, an array of parts, or null) and ignores the
 * rest, which stays available through {@link ChatRequest#extension}.
 */
final class ChatRequestParser {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private ChatRequestParser() {}

  /** Parses {@code body} without consuming or releasing it. */
  static ChatRequest parse(ByteBuf body) {
    JsonNode root;
    try (InputStream in = new ByteBufInputStream(body.duplicate())) {
      root = MAPPER.readTree(in);
    } catch (IOException e) {
      throw notJson();
    }
    if (root == null || !root.isObject()) {
      throw notJson();
    }
    ObjectNode o = (ObjectNode) root;
    String model = model(o);
    List<ChatMessage> messages = messages(o.get("messages"));
    boolean stream = bool(o, "stream");
    boolean includeUsage = false;
    JsonNode options = o.get("stream_options");
    if (options != null && !options.isNull()) {
      if (!options.isObject()) {
        throw new InvalidRequestException("stream_options must be an object.", "stream_options");
      }
      includeUsage = bool((ObjectNode) options, "include_usage");
    }
    OptionalInt maxTokens = positiveInt(o, "max_completion_tokens");
    if (maxTokens.isEmpty()) {
      maxTokens = positiveInt(o, "max_tokens");
    }
    OptionalInt n = positiveInt(o, "n");
    if (n.isPresent() && n.getAsInt() != 1) {
      throw new InvalidRequestException("This server returns one choice; n must be 1.", "n");
    }
    return new ChatRequest(model, messages, stream, includeUsage, maxTokens, o);
  }

  private static InvalidRequestException notJson() {
    return new InvalidRequestException(
        "We could not parse the JSON body of your request. The body must be a JSON object.", null);
  }

  private static String model(ObjectNode o) {
    JsonNode m = o.get("model");
    if (m == null || m.isNull()) {
      throw new InvalidRequestException("You must provide a model parameter.", "model");
    }
    if (!m.isTextual() || m.asText().isEmpty()) {
      throw new InvalidRequestException("model must be a non-empty string.", "model");
    }
    return m.asText();
  }

  private static List<ChatMessage> messages(JsonNode array) {
    if (array == null || array.isNull()) {
      throw new InvalidRequestException("Missing required parameter: 'messages'.", "messages");
    }
    if (!array.isArray() || array.isEmpty()) {
      throw new InvalidRequestException("messages must be a non-empty array.", "messages");
    }
    List<ChatMessage> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonNode m = array.get(i);
      String where = "messages[" + i + "]";
      if (!m.isObject()) {
        throw new InvalidRequestException(where + " must be an object.", where);
      }
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual()) {
        throw new InvalidRequestException(where + ".role must be a string.", where + ".role");
      }
      out.add(new ChatMessage(role.asText(), content(m.get("content"), where + ".content")));
    }
    return out;
  }

  private static String content(JsonNode c, String where) {
    if (c == null || c.isNull()) {
      return "";
    }
    if (c.isTextual()) {
      return c.asText();
    }
    if (!c.isArray()) {
      throw new InvalidRequestException(where + " must be a string or an array of parts.", where);
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : c) {
      JsonNode t = part.get("text");
      if (part.isObject() && t != null && t.isTextual()) {
        text.append(t.asText());
      }
    }
    return text.toString();
  }

  private static boolean bool(ObjectNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw new InvalidRequestException(name + " must be a boolean.", name);
    }
    return v.booleanValue();
  }

  private static OptionalInt positiveInt(ObjectNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || v.isNull()) {
      return OptionalInt.empty();
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 1) {
      throw new InvalidRequestException(name + " must be a positive integer.", name);
    }
    return OptionalInt.of(v.intValue());
  }
}
