package dev.sluice.bench.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.HeldOut;
import dev.sluice.codec.sample.SampleOptions;

/**
 * Chooses the family that answers a request, by endpoint as the real servers are reached:
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: the family named by the {@code X-Sluice-Family} header,
 *       else by the body's {@code model} when it is a family name ({@code "model": "vllm"}), else
 *       {@code openai-chat}; any chat family among openai-chat, openai-tools, vllm, tgi, llamacpp,
 *       python-sse; without {@code "stream": true} (OpenAI's default is false) the non-streamed
 *       {@code openai-json};
 *   <li>{@code POST /v1/responses}: {@code openai-responses}; {@code POST /v1/messages}: {@code
 *       anthropic} (both streamed only);
 *   <li>{@code POST /api/chat}: {@code ollama-chat}, or {@code ollama-json} with {@code "stream":
 *       false} (Ollama streams by default); {@code POST /api/generate}: {@code ollama-generate}.
 * </ul>
 *
 * {@code stream_options.include_usage} and {@code include_obfuscation} are honoured (both off by
 * default); a {@code model} that is not a family name is reported back as the model.
 */
final class FamilyRouter {
  static final String FAMILY_HEADER = "X-Sluice-Family";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A request this upstream does not serve: the HTTP status and why. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private FamilyRouter() {}

  /**
   * @param familyHeader the {@code X-Sluice-Family} header, or null
   * @param createdEpochSecond the response's creation time
   */
  static FamilyRequest route(String path, String familyHeader, String body, long createdEpochSecond)
      throws Refused {
    JsonNode req;
    try {
      req = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new Refused(400, "the request body is not JSON: " + e.getOriginalMessage());
    }
    if (req == null || !req.isObject()) {
      throw new Refused(400, "the request body is not a JSON object");
    }
    String model = req.path("model").asText("");
    JsonNode stream = req.get("stream");
    Family family = family(path, familyHeader, model, stream);
    SampleOptions options =
        SampleOptions.defaults()
            .withIncludeUsage(req.at("/stream_options/include_usage").asBoolean(false))
            .withObfuscation(req.at("/stream_options/include_obfuscation").asBoolean(false))
            .withCreated(createdEpochSecond);
    if (!model.isEmpty() && !isFamily(model)) {
      options = options.withModel(model);
    }
    return new FamilyRequest(family, options, HeldOut.fnv1a(body));
  }

  private static Family family(String path, String header, String model, JsonNode stream)
      throws Refused {
    switch (path) {
      case "/v1/chat/completions":
        Family chat = Family.OPENAI_CHAT;
        if (header != null) {
          chat = byName(header);
        } else if (isFamily(model)) {
          chat = Family.byId(model);
        }
        if (!chat.endpoint().equals(path)) {
          throw new Refused(400, chat.id() + " is not served on " + path);
        }
        boolean streamed = stream != null && stream.asBoolean(false);
        return streamed || !chat.streaming() ? chat : Family.OPENAI_JSON;
      case "/v1/responses":
        return streamedOnly(Family.OPENAI_RESPONSES, stream);
      case "/v1/messages":
        return streamedOnly(Family.ANTHROPIC, stream);
      case "/api/chat":
        return stream != null && !stream.asBoolean(true) ? Family.OLLAMA_JSON : Family.OLLAMA_CHAT;
      case "/api/generate":
        if (stream != null && !stream.asBoolean(true)) {
          throw new Refused(400, "only streamed answers are served on " + path);
        }
        return Family.OLLAMA_GENERATE;
      default:
        throw new Refused(404, "no such endpoint: " + path);
    }
  }

  private static Family streamedOnly(Family f, JsonNode stream) throws Refused {
    if (stream == null || !stream.asBoolean(false)) {
      throw new Refused(400, "only streamed answers are served on " + f.endpoint());
    }
    return f;
  }

  private static Family byName(String name) throws Refused {
    try {
      return Family.byId(name);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, FAMILY_HEADER + ": " + e.getMessage());
    }
  }

  private static boolean isFamily(String name) {
    for (Family f : Family.values()) {
      if (f.id().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
