package dev.sluice.codec.sample;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the top-level string members of one JSON object, such as a line of the corpus's JSON Lines
 * files, without a JSON library (sluice-codec has none outside tests). Every other value (numbers,
 * literals, nested objects and arrays) is checked for form and skipped. Errors name the offset of
 * the first character that is wrong.
 */
final class JsonFields {
  private final String s;
  private int i;

  private JsonFields(String s) {
    this.s = s;
  }

  /**
   * The string values of the members of object {@code json} whose names are in {@code wanted}.
   *
   * @throws IllegalArgumentException if {@code json} is not one JSON object
   */
  static Map<String, String> read(String json, Set<String> wanted) {
    JsonFields p = new JsonFields(json);
    Map<String, String> out = new HashMap<>();
    p.space();
    p.expect('{');
    p.space();
    if (p.peek() == '}') {
      p.i++;
    } else {
      while (true) {
        p.space();
        String name = p.string();
        p.space();
        p.expect(':');
        p.space();
        if (wanted.contains(name) && p.peek() == '"') {
          out.put(name, p.string());
        } else {
          p.skipValue();
        }
        p.space();
        if (p.peek() == ',') {
          p.i++;
        } else {
          p.expect('}');
          break;
        }
      }
    }
    p.space();
    if (p.i != json.length()) {
      throw p.error("text after the object");
    }
    return out;
  }

  private char peek() {
    if (i >= s.length()) {
      throw error("unexpected end");
    }
    return s.charAt(i);
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    i++;
  }

  private void space() {
    while (i < s.length()
        && (s.charAt(i) == ' '
            || s.charAt(i) == '\t'
            || s.charAt(i) == '\n'
            || s.charAt(i) == '\r')) {
      i++;
    }
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = peek();
      i++;
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        i--;
        throw error("control character in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = peek();
      i++;
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> b.append(hex4());
        default -> {
          i--;
          throw error("bad escape");
        }
      }
    }
  }

  private char hex4() {
    if (i + 4 > s.length()) {
      throw error("short \\u escape");
    }
    int v = 0;
    for (int k = 0; k < 4; k++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0) {
        throw error("bad hex digit");
      }
      v = v * 16 + d;
      i++;
    }
    return (char) v;
  }

  private void skipValue() {
    char c = peek();
    if (c == '"') {
      string();
    } else if (c == '{' || c == '[') {
      char close = c == '{' ? '}' : ']';
      i++;
      space();
      if (peek() == close) {
        i++;
        return;
      }
      while (true) {
        space();
        if (c == '{') {
          string();
          space();
          expect(':');
          space();
        }
        skipValue();
        space();
        if (peek() == ',') {
          i++;
        } else {
          expect(close);
          return;
        }
      }
    } else if (s.startsWith("true", i) || s.startsWith("null", i)) {
      i += 4;
    } else if (s.startsWith("false", i)) {
      i += 5;
    } else {
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      if (i == start) {
        throw error("expected a value");
      }
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + i);
  }
}
