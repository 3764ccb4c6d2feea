package dev.sluice.codec.sample;

/**
 * How a server's JSON encoder escapes a string, character for character. Each family uses the
 * dialect of the encoder its server runs; the differences are what a codec meets on the wire.
 *
 * <table>
 *   <caption>escapes per dialect (all escape {@code "} and {@code \} with a backslash)</caption>
 *   <tr><th>dialect</th><th>control characters</th><th>non-ASCII</th><th>other</th></tr>
 *   <tr><td>{@link #SERDE}</td><td>{@code \b \f \n \r \t}, else {@code \u001f} (lower hex)</td>
 *       <td>raw UTF-8</td><td>-</td></tr>
 *   <tr><td>{@link #GO}</td><td>as SERDE (Go 1.22+ writes {@code \b \f})</td><td>raw UTF-8</td>
 *       <td>{@code < > &} and U+2028, U+2029 as {@code \u003c} etc.</td></tr>
 *   <tr><td>{@link #PYTHON_ASCII}</td><td>as SERDE</td>
 *       <td>{@code \u00e9}, surrogate pairs above U+FFFF (lower hex); DEL too</td><td>-</td></tr>
 *   <tr><td>{@link #JACKSON}</td><td>{@code \b \f \n \r \t}, else {@code \u001F} (upper hex)</td>
 *       <td>raw UTF-8</td><td>-</td></tr>
 * </table>
 *
 * <p>Sources: Rust serde_json {@code ser.rs} (ESCAPE table; also what pydantic-core, vLLM's
 * encoder, and nlohmann::json in llama.cpp write); Go {@code encoding/json/encode.go} ({@code
 * appendString}, {@code htmlSafeSet}); CPython {@code Modules/_json.c} ({@code
 * ascii_escape_unichar}, the {@code json.dumps} default {@code ensure_ascii=True}); Jackson core
 * {@code CharTypes.sOutputEscapes128} and its upper-case {@code HEX_CHARS}.
 */
public enum JsonDialect {
  SERDE,
  GO,
  PYTHON_ASCII,
  JACKSON;

  private static final char[] LOWER = "0123456789abcdef".toCharArray();
  private static final char[] UPPER = "0123456789ABCDEF".toCharArray();

  /** Appends {@code s} as a quoted JSON string. */
  public void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || escapes(c)) {
            unicode(c, this == JACKSON ? UPPER : LOWER, out);
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  /** The quoted JSON string of {@code s}. */
  public String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 8);
    quote(s, b);
    return b.toString();
  }

  private boolean escapes(char c) {
    switch (this) {
      case GO:
        return c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029';
      case PYTHON_ASCII:
        return c > '~';
      default:
        return false;
    }
  }

  private static void unicode(char c, char[] hex, StringBuilder out) {
    out.append("\\u")
        .append(hex[(c >> 12) & 0xF])
        .append(hex[(c >> 8) & 0xF])
        .append(hex[(c >> 4) & 0xF])
        .append(hex[c & 0xF]);
  }
}
