package dev.sluice.codec;

/**
 * How a JSON encoder wrote each character of a string: the text model codes the characters
 * themselves (UTF-8), and this says, per character, which of the ways JSON allows was used: as it
 * is, the short escape ({@code \n}, {@code \"}, {@code \/}), or {@code \}{@code uXXXX} in lower or
 * upper case hex (a surrogate pair for characters beyond U+FFFF). Encoders are consistent (Python
 * escapes all non-ASCII, Go escapes {@code <>&}, most write UTF-8 as it is), so the form of a
 * character is predicted by its category almost for free.
 *
 * <p>{@link #parse} refuses strings it cannot reproduce exactly (invalid escapes, lone surrogates,
 * invalid UTF-8, hex in mixed case): those are coded as bytes, not as text.
 */
final class JsonEscapes {
  private JsonEscapes() {}

  static final int RAW = 0;
  static final int SHORT = 1;
  static final int LOWER = 2;
  static final int UPPER = 3;

  static final int CATEGORIES = 11;

  private static final int QUOTE = 0;
  private static final int BACKSLASH = 1;
  private static final int SLASH = 2;
  private static final int CTRL_SHORT = 3;
  private static final int CTRL = 4;
  private static final int HTML = 5;
  private static final int ASCII = 6;
  private static final int DEL = 7;
  private static final int BMP = 8;
  private static final int ASTRAL = 9;
  private static final int LINE_SEP = 10;

  private static final byte[] HEX_LOWER = "0123456789abcdef".getBytes();
  private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes();

  /** The category of code point {@code cp}. */
  static int category(int cp) {
    if (cp == '"') {
      return QUOTE;
    }
    if (cp == '\\') {
      return BACKSLASH;
    }
    if (cp == '/') {
      return SLASH;
    }
    if (cp < 0x20) {
      return shortEscape(cp) != 0 ? CTRL_SHORT : CTRL;
    }
    if (cp == '<' || cp == '>' || cp == '&' || cp == '\'') {
      return HTML;
    }
    if (cp < 0x7F) {
      return ASCII;
    }
    if (cp == 0x7F) {
      return DEL;
    }
    if (cp == 0x2028 || cp == 0x2029) {
      return LINE_SEP;
    }
    return cp >= 0x10000 ? ASTRAL : BMP;
  }

  /** Whether {@code form} can write a character of {@code category}. */
  static boolean allowed(int category, int form) {
    return switch (form) {
      case RAW -> category != QUOTE && category != BACKSLASH;
      case SHORT -> category <= CTRL_SHORT;
      default -> true;
    };
  }

  private static int shortEscape(int cp) {
    return switch (cp) {
      case '"' -> '"';
      case '\\' -> '\\';
      case '/' -> '/';
      case '\b' -> 'b';
      case '\f' -> 'f';
      case '\n' -> 'n';
      case '\r' -> 'r';
      case '\t' -> 't';
      default -> 0;
    };
  }

  /**
   * Reads the content of a JSON string ({@code s[off, end)}, between the quotes): its characters as
   * UTF-8 into {@code text}, one form per character into {@code forms}.
   *
   * @return false if the string cannot be written back exactly from characters and forms
   */
  static boolean parse(byte[] s, int off, int end, ByteBuf text, ByteBuf forms) {
    int i = off;
    while (i < end) {
      int c = s[i] & 0xFF;
      if (c == '\\') {
        if (i + 1 >= end) {
          return false;
        }
        int e = s[i + 1] & 0xFF;
        if (e == 'u') {
          int hex = hex4(s, i + 2, end);
          if (hex < 0) {
            return false;
          }
          int form = hexCase(s, i + 2);
          if (form < 0) {
            return false;
          }
          int cp = hex;
          int len = 6;
          if (hex >= 0xD800 && hex <= 0xDBFF) {
            if (i + 12 > end || s[i + 6] != '\\' || s[i + 7] != 'u') {
              return false;
            }
            int lo = hex4(s, i + 8, end);
            int form2 = hexCase(s, i + 8);
            if (lo < 0xDC00 || lo > 0xDFFF || form2 < 0) {
              return false;
            }
            boolean letters1 = !digitsOnly(s, i + 2);
            boolean letters2 = !digitsOnly(s, i + 8);
            if (letters1 && letters2 && form != form2) {
              return false;
            }
            if (!letters1) {
              form = form2;
            }
            cp = 0x10000 + ((hex - 0xD800) << 10) + (lo - 0xDC00);
            len = 12;
          } else if (hex >= 0xDC00 && hex <= 0xDFFF) {
            return false;
          }
          utf8(text, cp);
          forms.put(form);
          i += len;
        } else {
          int cp =
              switch (e) {
                case '"' -> '"';
                case '\\' -> '\\';
                case '/' -> '/';
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                default -> -1;
              };
          if (cp < 0) {
            return false;
          }
          text.put(cp);
          forms.put(SHORT);
          i += 2;
        }
      } else if (c < 0x80) {
        if (c == '"') {
          return false;
        }
        text.put(c);
        forms.put(RAW);
        i++;
      } else {
        int n = Utf8.length(s, i, end);
        if (n <= 0) {
          return false;
        }
        text.put(s, i, n);
        forms.put(RAW);
        i += n;
      }
    }
    return true;
  }

  /**
   * Writes code point {@code cp} (whose UTF-8 bytes are {@code u[off, off + n)}) in {@code form}.
   */
  static void write(ByteBuf out, byte[] u, int off, int n, int cp, int form) {
    switch (form) {
      case RAW -> out.put(u, off, n);
      case SHORT -> {
        out.put('\\');
        out.put(shortEscape(cp));
      }
      default -> {
        byte[] hex = form == LOWER ? HEX_LOWER : HEX_UPPER;
        if (cp >= 0x10000) {
          int v = cp - 0x10000;
          u4(out, 0xD800 + (v >>> 10), hex);
          u4(out, 0xDC00 + (v & 0x3FF), hex);
        } else {
          u4(out, cp, hex);
        }
      }
    }
  }

  private static void u4(ByteBuf out, int v, byte[] hex) {
    out.put('\\');
    out.put('u');
    out.put(hex[(v >>> 12) & 15]);
    out.put(hex[(v >>> 8) & 15]);
    out.put(hex[(v >>> 4) & 15]);
    out.put(hex[v & 15]);
  }

  private static int hex4(byte[] s, int i, int end) {
    if (i + 4 > end) {
      return -1;
    }
    int v = 0;
    for (int k = i; k < i + 4; k++) {
      int d = Character.digit(s[k], 16);
      if (d < 0) {
        return -1;
      }
      v = v << 4 | d;
    }
    return v;
  }

  /**
   * LOWER or UPPER for the four hex digits at {@code i}, LOWER if they hold no letter, -1 mixed.
   */
  private static int hexCase(byte[] s, int i) {
    boolean lower = false;
    boolean upper = false;
    for (int k = i; k < i + 4; k++) {
      lower |= s[k] >= 'a' && s[k] <= 'f';
      upper |= s[k] >= 'A' && s[k] <= 'F';
    }
    return lower && upper ? -1 : upper ? UPPER : LOWER;
  }

  private static boolean digitsOnly(byte[] s, int i) {
    for (int k = i; k < i + 4; k++) {
      if (s[k] > '9') {
        return false;
      }
    }
    return true;
  }

  static void utf8(ByteBuf out, int cp) {
    if (cp < 0x80) {
      out.put(cp);
    } else if (cp < 0x800) {
      out.put(0xC0 | cp >>> 6);
      out.put(0x80 | cp & 0x3F);
    } else if (cp < 0x10000) {
      out.put(0xE0 | cp >>> 12);
      out.put(0x80 | (cp >>> 6) & 0x3F);
      out.put(0x80 | cp & 0x3F);
    } else {
      out.put(0xF0 | cp >>> 18);
      out.put(0x80 | (cp >>> 12) & 0x3F);
      out.put(0x80 | (cp >>> 6) & 0x3F);
      out.put(0x80 | cp & 0x3F);
    }
  }
}
