package dev.sluice.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The request {@link SseLoad} sends for each stream: a streaming chat completion with one user
 * message, as raw HTTP/1.1 bytes for a keep-alive connection.
 */
final class StreamingChatRequest {
  private StreamingChatRequest() {}

  /** {@code POST} to {@code url}'s path, asking for {@code prompt} (already JSON-escaped). */
  static byte[] bytes(URI url, String prompt) {
    String body =
        "{\"model\":\"sluice-demo\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]}";
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + url.getRawPath()
            + " HTTP/1.1\r\nHost: "
            + url.getHost()
            + ":"
            + url.getPort()
            + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
            + "Content-Length: "
            + b.length
            + "\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(h, h.length + b.length);
    System.arraycopy(b, 0, all, h.length, b.length);
    return all;
  }
}
