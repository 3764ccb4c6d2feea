package dev.sluice.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Chat requests for tests, parsed from JSON the way the server parses them. */
final class Requests {
  private Requests() {}

  static ChatRequest parse(String json) {
    ByteBuf body = Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
    try {
      return ChatRequestParser.parse(body);
    } finally {
      body.release();
    }
  }

  /**
   * A request with one user message; {@code extra} is spliced into the body, e.g. {@code ,"n":1}.
   */
  static ChatRequest user(String prompt, String extra) {
    String quoted = "\"" + prompt.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    return parse(
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
            + quoted
            + "}]"
            + extra
            + "}");
  }
}
