package dev.sluice.codec.sample;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads family bodies back for tests, independently of the builders: SSE events (LF or CRLF), the
 * JSON of each {@code data:} payload or NDJSON line, and the model text each family carries.
 */
final class Bodies {
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Bodies() {}

  /** The JSON documents of a body: SSE data payloads (not {@code [DONE]}), lines, or the body. */
  static List<JsonNode> documents(Family family, byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8);
    List<JsonNode> out = new ArrayList<>();
    if (!family.streaming()) {
      out.add(parse(s));
    } else if (family.extension().equals(".ndjson")) {
      if (!s.endsWith("\n")) {
        throw new AssertionError("NDJSON body does not end with a newline");
      }
      for (String line : s.substring(0, s.length() - 1).split("\n", -1)) {
        out.add(parse(line));
      }
    } else {
      for (String data : sseData(s)) {
        if (!data.equals("[DONE]")) {
          out.add(parse(data));
        }
      }
    }
    return out;
  }

  /** The data of each SSE event, in order; checks that every event ends with a blank line. */
  static List<String> sseData(String s) {
    String eol = s.contains("\r\n") ? "\r\n" : "\n";
    if (!s.endsWith(eol + eol)) {
      throw new AssertionError("SSE body does not end with a blank line");
    }
    List<String> out = new ArrayList<>();
    for (String event : s.substring(0, s.length() - 2 * eol.length()).split(eol + eol, -1)) {
      StringBuilder data = null;
      for (String line : event.split(eol, -1)) {
        if (line.startsWith("data: ")) {
          data =
              data == null
                  ? new StringBuilder(line.substring(6))
                  : data.append('\n').append(line, 6, line.length());
        } else if (!line.startsWith("event: ")) {
          throw new AssertionError("unexpected SSE line: " + line);
        }
      }
      if (data == null) {
        throw new AssertionError("SSE event without data: " + event);
      }
      out.add(data.toString());
    }
    return out;
  }

  /** The model text of each document, in order ({@code null} where a document has none). */
  static List<String> texts(Family family, List<JsonNode> docs) {
    List<String> out = new ArrayList<>();
    for (JsonNode d : docs) {
      JsonNode t;
      switch (family) {
        case OPENAI_TOOLS:
          t = d.at("/choices/0/delta/tool_calls/0/function/arguments");
          break;
        case OPENAI_RESPONSES:
          t = d.path("type").asText().equals("response.output_text.delta") ? d.get("delta") : null;
          break;
        case ANTHROPIC:
          t = d.path("type").asText().equals("content_block_delta") ? d.at("/delta/text") : null;
          break;
        case OLLAMA_CHAT:
        case OLLAMA_JSON:
          t = d.at("/message/content");
          break;
        case OLLAMA_GENERATE:
          t = d.get("response");
          break;
        case OPENAI_JSON:
          t = d.at("/choices/0/message/content");
          break;
        default:
          t = d.at("/choices/0/delta/content");
      }
      out.add(t == null || !t.isTextual() ? null : t.asText());
    }
    return out;
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + json, e);
    }
  }
}
