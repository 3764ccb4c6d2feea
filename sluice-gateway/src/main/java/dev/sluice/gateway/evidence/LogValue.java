package dev.sluice.gateway.evidence;

/**
 * Writes one value of a {@code key=value} log line so that the line stays one line of printable
 * ASCII and parses back into exactly the fields that were written, whatever bytes a client chose (a
 * forward-proxy host with ESC or NUL, a tenant header with spaces or {@code =}, a path).
 *
 * <p>The rules (the {@code sluice.connection} line and every other log line that carries a value a
 * client or a peer controls):
 *
 * <ul>
 *   <li>A value that is not empty and holds only printable ASCII ({@code !} to {@code ~}) other
 *       than {@code "}, {@code \} and {@code =} is written as it is: {@code tenant=acme}.
 *   <li>Any other value is written in double quotes, with {@code "} as {@code \"}, {@code \} as
 *       {@code \\}, LF, CR and TAB as {@code \n}, {@code \r}, {@code \t}, and every other character
 *       outside {@code 0x20..0x7e} (control characters, DEL, anything not ASCII) as {@code \}{@code
 *       uXXXX}, the UTF-16 code unit in four lower-case hex digits; space and {@code =} stay as
 *       they are inside the quotes: {@code tenant="a b"}, {@code destination="evil\}{@code
 *       u001b.example:80"}, {@code tenant=""}.
 *   <li>{@code null} is written {@code -} (the line's "none").
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class LogValue {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private LogValue() {}

  /** {@code value} as it goes into a log line. */
  public static String of(String value) {
    if (value == null) {
      return "-";
    }
    if (bare(value)) {
      return value;
    }
    StringBuilder b = new StringBuilder(value.length() + 8);
    quoted(b, value);
    return b.toString();
  }

  /**
   * Appends {@code value} in double quotes with the escapes above: a JSON string literal of
   * printable ASCII as well (the JSON log lines write their strings with it).
   */
  public static void quoted(StringBuilder b, String value) {
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c >= 0x20 && c < 0x7f) {
            b.append(c);
          } else {
            b.append("\\u")
                .append(HEX[(c >> 12) & 0xf])
                .append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
          }
        }
      }
    }
    b.append('"');
  }

  /** {@code String.valueOf(value)} as it goes into a log line ({@code -} for null). */
  public static String of(Object value) {
    return value == null ? "-" : of(value.toString());
  }

  private static boolean bare(String value) {
    if (value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '=') {
        return false;
      }
    }
    return true;
  }
}
