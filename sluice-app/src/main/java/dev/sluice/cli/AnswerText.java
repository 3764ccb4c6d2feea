package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * How many bytes of answer text an egress stream carries, so that {@code codec bench} can report
 * wire bytes per byte of text: for an OpenAI chat-completion event stream, the UTF-8 bytes of every
 * {@code choices[].delta.content} string of its {@code data:} events; for a JSON completion body,
 * of every {@code choices[].message.content}. Anything else (other events, {@code [DONE]}, bytes
 * that are not JSON, binary files) counts zero. Counting only, never used to compress.
 */
final class AnswerText {

  private static final ObjectMapper JSON = new ObjectMapper();

  private AnswerText() {}

  /** The answer text bytes in {@code stream}. */
  static long bytes(byte[] stream) {
    int i = 0;
    while (i < stream.length && isSpace(stream[i])) {
      i++;
    }
    if (i < stream.length && stream[i] == '{') {
      return content(parse(stream, i, stream.length - i), "message");
    }
    return eventStream(stream);
  }

  /** Sums the deltas of the events; an event's {@code data:} lines are joined with LF. */
  private static long eventStream(byte[] s) {
    long total = 0;
    StringBuilder data = null;
    int start = 0;
    while (start <= s.length) {
      int end = start;
      while (end < s.length && s[end] != '\n' && s[end] != '\r') {
        end++;
      }
      if (end == start) {
        if (data != null) {
          total += event(data.toString());
          data = null;
        }
      } else if (startsWith(s, start, end, "data:")) {
        int from = start + 5;
        if (from < end && s[from] == ' ') {
          from++;
        }
        String line = new String(s, from, end - from, StandardCharsets.UTF_8);
        data = data == null ? new StringBuilder(line) : data.append('\n').append(line);
      }
      if (end >= s.length) {
        break;
      }
      start = end + (s[end] == '\r' && end + 1 < s.length && s[end + 1] == '\n' ? 2 : 1);
    }
    if (data != null) {
      total += event(data.toString());
    }
    return total;
  }

  private static long event(String data) {
    if (data.isEmpty() || data.charAt(0) != '{') {
      return 0;
    }
    byte[] b = data.getBytes(StandardCharsets.UTF_8);
    return content(parse(b, 0, b.length), "delta");
  }

  private static long content(JsonNode root, String holder) {
    if (root == null) {
      return 0;
    }
    long n = 0;
    for (JsonNode choice : root.path("choices")) {
      JsonNode c = choice.path(holder).path("content");
      if (c.isTextual()) {
        n += c.textValue().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return n;
  }

  private static JsonNode parse(byte[] b, int off, int len) {
    try {
      return JSON.readTree(b, off, len); // JacksonException is an IOException
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean startsWith(byte[] s, int start, int end, String prefix) {
    if (end - start < prefix.length()) {
      return false;
    }
    for (int k = 0; k < prefix.length(); k++) {
      if (s[start + k] != prefix.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
