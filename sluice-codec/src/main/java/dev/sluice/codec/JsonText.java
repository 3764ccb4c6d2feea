package dev.sluice.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text as it appears inside a JSON string, which is what the codec's text model sees: quote,
 * backslash and control characters escaped (a backslash and n, t, or u and four hex digits),
 * everything else raw UTF-8, as OpenAI's API writes it.
 */
final class JsonText {
  private JsonText() {}

  static byte[] escape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
    StringBuilder plain = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String esc =
          switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            default -> c < 0x20 ? String.format("\\u%04X", (int) c) : null;
          };
      if (esc == null) {
        plain.append(c);
      } else {
        out.writeBytes(plain.toString().getBytes(StandardCharsets.UTF_8));
        plain.setLength(0);
        out.writeBytes(esc.getBytes(StandardCharsets.US_ASCII));
      }
    }
    out.writeBytes(plain.toString().getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
