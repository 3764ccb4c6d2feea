package dev.sluice.bench.live;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.codec.sample.Family;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The request a client of each family's server sends, as exact HTTP/1.1 bytes on a keep-alive
 * connection, for the family upstream ({@code dev.sluice.bench.upstream.FamilyUpstream}): the
 * family's endpoint, {@code "model"} naming the family (so the stream reports the family's own
 * model name), {@code "stream"} as the family streams, and the prompt, whose hash picks the answer.
 * The same prompt always gets the same answer and the same body bytes, so a request sent to two
 * listeners at once gets one answer twice.
 */
public final class LiveRequest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LiveRequest() {}

  /**
   * @param tenant the {@code X-Tenant} header
   * @param prompt the user message (or the prompt, input)
   */
  public static byte[] of(Family family, String tenant, String prompt) {
    ObjectNode body = JSON.createObjectNode().put("model", family.id());
    switch (family) {
      case OPENAI_RESPONSES -> body.put("stream", true).put("input", prompt);
      case OLLAMA_GENERATE -> body.put("prompt", prompt);
      case ANTHROPIC -> {
        body.put("max_tokens", 4096).put("stream", true);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
      }
      default -> {
        if (family != Family.OLLAMA_CHAT) {
          body.put("stream", family.streaming());
        }
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
      }
    }
    byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + family.endpoint()
            + " HTTP/1.1\r\n"
            + "Host: gateway\r\n"
            + "X-Tenant: "
            + tenant
            + "\r\n"
            + "Content-Type: application/json\r\n"
            + "Content-Length: "
            + json.length
            + "\r\n\r\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + json.length);
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(json);
    return out.toByteArray();
  }
}
