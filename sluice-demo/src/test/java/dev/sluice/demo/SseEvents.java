package dev.sluice.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Strict parsing of an OpenAI SSE body for tests: every event is exactly {@code data: X\n\n}. */
final class SseEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SseEvents() {}

  /** The data of each event, in order, or an assertion error naming the first framing fault. */
  static List<String> split(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      if (!s.startsWith("data: ", i)) {
        throw new AssertionError("event at " + i + " does not start with 'data: '");
      }
      int end = s.indexOf("\n\n", i);
      if (end < 0) {
        throw new AssertionError("event at " + i + " has no blank line after it");
      }
      String data = s.substring(i + 6, end);
      if (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0) {
        throw new AssertionError("event at " + i + " spans lines");
      }
      out.add(data);
      i = end + 2;
    }
    return out;
  }

  static JsonNode json(String data) {
    try {
      return JSON.readTree(data);
    } catch (java.io.IOException e) {
      throw new AssertionError("event is not JSON: " + data, e);
    }
  }

  /** The concatenated {@code delta.content} of every chunk. */
  static String content(List<String> events) {
    StringBuilder text = new StringBuilder();
    for (String e : events) {
      if (e.equals("[DONE]")) {
        continue;
      }
      for (JsonNode choice : json(e).path("choices")) {
        text.append(choice.path("delta").path("content").asText(""));
      }
    }
    return text.toString();
  }
}
