package dev.sluice.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One OpenAI {@code chat.completion.chunk} server-sent event, split into its {@link Envelope}
 * (everything but the text) and its content string, such that {@link #toBytes()} gives back the
 * exact bytes it was parsed from.
 *
 * <p>{@link #parse} recognises only the shape OpenAI's API and Sluice's demo upstream write, byte
 * for byte: {@code data: } + one JSON object on one line + {@code \n\n}, no whitespace in the JSON,
 * the fields in the order {@code id, object ("chat.completion.chunk"), created, model,
 * system_fingerprint?, choices, usage?}, at most one choice of {@code index, delta {role?,
 * content?}, logprobs? (null only), finish_reason}, and strings escaped as Jackson escapes them
 * ({@code \" \\ \b \f \n \r \t}, other control characters as <code>&#92;u00XX</code> in upper case,
 * every other character as raw UTF-8). Anything else, including invalid UTF-8, other escapes
 * ({@code \/}, <code>&#92;u00e9</code>), other fields or another order, is not recognised and the
 * caller falls back to a generic encoding. As a last guard, a parsed chunk is serialised again and
 * compared with the input; the parse is refused unless they are identical, so the split never
 * guesses.
 */
public final class ChatChunk {

  /** Whether the delta has a {@code content} field, and what it holds. */
  public enum ContentKind {
    /** No {@code content} field (the finish chunk; {@code content()} is empty). */
    ABSENT,
    /** {@code "content":null}. */
    NULL,
    /** {@code "content":"..."}. */
    STRING
  }

  /**
   * Everything in the chunk but the text of its content.
   *
   * @param id the {@code id} string
   * @param created the {@code created} number, Unix seconds
   * @param model the {@code model} string
   * @param hasFingerprint whether there is a {@code system_fingerprint} field
   * @param systemFingerprint its string, or null for JSON null (or when absent)
   * @param hasChoice false for {@code "choices":[]} (the usage chunk)
   * @param index the choice's {@code index}
   * @param role the delta's {@code role}, or null when absent
   * @param contentKind whether and how the delta has {@code content}
   * @param hasLogprobs whether the choice has {@code "logprobs":null}
   * @param finishReason the choice's {@code finish_reason}, or null for JSON null
   * @param usage the {@code usage} value's exact JSON text ({@code null} or an object), or null
   *     when there is no {@code usage} field
   * @param escapedSupplementary whether characters beyond the BMP are written as escaped surrogate
   *     pairs rather than raw UTF-8
   */
  public record Envelope(
      String id,
      long created,
      String model,
      boolean hasFingerprint,
      String systemFingerprint,
      boolean hasChoice,
      int index,
      String role,
      ContentKind contentKind,
      boolean hasLogprobs,
      String finishReason,
      String usage,
      boolean escapedSupplementary) {
    public Envelope {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(model, "model");
      Objects.requireNonNull(contentKind, "contentKind");
    }
  }

  private static final byte[] DATA = ascii("data: ");
  private static final byte[] OBJECT = ascii(",\"object\":\"chat.completion.chunk\"");
  private static final byte[] HEX = ascii("0123456789ABCDEF");

  private final Envelope envelope;
  private final String content;

  /**
   * @param content the text; must be empty unless {@code envelope.contentKind()} is {@code STRING}
   */
  public ChatChunk(Envelope envelope, String content) {
    this.envelope = Objects.requireNonNull(envelope, "envelope");
    this.content = Objects.requireNonNull(content, "content");
    if (envelope.contentKind() != ContentKind.STRING && !content.isEmpty()) {
      throw new IllegalArgumentException("content without a content field");
    }
  }

  public Envelope envelope() {
    return envelope;
  }

  /** The delta's content text; empty when there is none. */
  public String content() {
    return content;
  }

  /** The chunk recognised in {@code event}, or null if it is not one this class reproduces. */
  public static ChatChunk parse(byte[] event) {
    return parse(event, 0, event.length);
  }

  /** The chunk recognised in {@code b[off, off + len)}, or null. */
  public static ChatChunk parse(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    ChatChunk c;
    try {
      c = new Parser(b, off, off + len).chunk();
    } catch (NotRecognised e) {
      return null;
    }
    // The guard: only a chunk that serialises back to exactly these bytes is recognised.
    byte[] again = c.toBytes();
    return Arrays.equals(again, 0, again.length, b, off, off + len) ? c : null;
  }

  /** The exact bytes of the event. */
  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(160 + content.length() * 2);
    writeTo(out);
    return out.toByteArray();
  }

  /** Writes the exact bytes of the event to {@code out}. */
  public void writeTo(ByteArrayOutputStream out) {
    Envelope e = envelope;
    boolean esc = e.escapedSupplementary();
    out.writeBytes(DATA);
    raw(out, "{\"id\":");
    string(out, e.id(), esc);
    out.writeBytes(OBJECT);
    raw(out, ",\"created\":");
    raw(out, Long.toString(e.created()));
    raw(out, ",\"model\":");
    string(out, e.model(), esc);
    if (e.hasFingerprint()) {
      raw(out, ",\"system_fingerprint\":");
      nullableString(out, e.systemFingerprint(), esc);
    }
    raw(out, ",\"choices\":[");
    if (e.hasChoice()) {
      raw(out, "{\"index\":");
      raw(out, Integer.toString(e.index()));
      raw(out, ",\"delta\":{");
      if (e.role() != null) {
        raw(out, "\"role\":");
        string(out, e.role(), esc);
      }
      if (e.contentKind() != ContentKind.ABSENT) {
        raw(out, e.role() != null ? ",\"content\":" : "\"content\":");
        if (e.contentKind() == ContentKind.NULL) {
          raw(out, "null");
        } else {
          string(out, content, esc);
        }
      }
      raw(out, "}");
      if (e.hasLogprobs()) {
        raw(out, ",\"logprobs\":null");
      }
      raw(out, ",\"finish_reason\":");
      nullableString(out, e.finishReason(), esc);
      raw(out, "}");
    }
    raw(out, "]");
    if (e.usage() != null) {
      raw(out, ",\"usage\":");
      out.writeBytes(e.usage().getBytes(StandardCharsets.UTF_8));
    }
    raw(out, "}\n\n");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChatChunk c && c.envelope.equals(envelope) && c.content.equals(content);
  }

  @Override
  public int hashCode() {
    return envelope.hashCode() * 31 + content.hashCode();
  }

  @Override
  public String toString() {
    return "ChatChunk[" + envelope + ", content=" + content + "]";
  }

  private static void raw(ByteArrayOutputStream out, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      out.write(ascii.charAt(i));
    }
  }

  private static void nullableString(ByteArrayOutputStream out, String s, boolean esc) {
    if (s == null) {
      raw(out, "null");
    } else {
      string(out, s, esc);
    }
  }

  /**
   * Writes {@code s} as a JSON string, escaped as Jackson's UTF-8 generator escapes it; characters
   * beyond the BMP as escaped surrogate pairs when {@code esc}, else as raw UTF-8.
   */
  static void string(ByteArrayOutputStream out, String s, boolean esc) {
    out.write('"');
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          out.write(c);
          continue;
        }
        out.write('\\');
        switch (c) {
          case '"' -> out.write('"');
          case '\\' -> out.write('\\');
          case '\b' -> out.write('b');
          case '\f' -> out.write('f');
          case '\n' -> out.write('n');
          case '\r' -> out.write('r');
          case '\t' -> out.write('t');
          default -> {
            out.write('u');
            out.write('0');
            out.write('0');
            out.write(HEX[c >> 4]);
            out.write(HEX[c & 0xF]);
          }
        }
      } else if (c < 0x800) {
        out.write(0xC0 | (c >> 6));
        out.write(0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        if (esc) {
          unicodeEscape(out, c);
          unicodeEscape(out, s.charAt(++i));
          continue;
        }
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out.write(0xF0 | (cp >> 18));
        out.write(0x80 | ((cp >> 12) & 0x3F));
        out.write(0x80 | ((cp >> 6) & 0x3F));
        out.write(0x80 | (cp & 0x3F));
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException("unpaired surrogate at " + i);
      } else {
        out.write(0xE0 | (c >> 12));
        out.write(0x80 | ((c >> 6) & 0x3F));
        out.write(0x80 | (c & 0x3F));
      }
    }
    out.write('"');
  }

  private static void unicodeEscape(ByteArrayOutputStream out, char c) {
    out.write('\\');
    out.write('u');
    out.write(HEX[c >> 12]);
    out.write(HEX[(c >> 8) & 0xF]);
    out.write(HEX[(c >> 4) & 0xF]);
    out.write(HEX[c & 0xF]);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Thrown inside the parser for anything outside the recognised shape; never escapes. */
  private static final class NotRecognised extends Exception {
    private static final long serialVersionUID = 1L;
    private static final NotRecognised INSTANCE = new NotRecognised();

    private NotRecognised() {
      super(null, null, false, false);
    }
  }

  /** A strict cursor over one event. */
  private static final class Parser {
    private final byte[] b;
    private final int end;
    private int p;
    private boolean sawEscapedPair;
    private boolean sawRawSupplementary;

    Parser(byte[] b, int off, int end) {
      this.b = b;
      this.p = off;
      this.end = end;
    }

    ChatChunk chunk() throws NotRecognised {
      expect(DATA);
      expect("{\"id\":");
      String id = string();
      expect(OBJECT);
      expect(",\"created\":");
      long created = number();
      expect(",\"model\":");
      String model = string();
      boolean hasFingerprint = false;
      String fingerprint = null;
      if (take(",\"system_fingerprint\":")) {
        hasFingerprint = true;
        fingerprint = nullableString();
      }
      expect(",\"choices\":[");
      boolean hasChoice = false;
      int index = 0;
      String role = null;
      ContentKind kind = ContentKind.ABSENT;
      String content = "";
      boolean hasLogprobs = false;
      String finishReason = null;
      if (!take("]")) {
        hasChoice = true;
        expect("{\"index\":");
        long i = number();
        if (i > Integer.MAX_VALUE) {
          throw NotRecognised.INSTANCE;
        }
        index = (int) i;
        expect(",\"delta\":{");
        if (take("\"role\":")) {
          role = string();
          if (take(",\"content\":")) {
            kind = ContentKind.STRING;
          }
        } else if (take("\"content\":")) {
          kind = ContentKind.STRING;
        }
        if (kind == ContentKind.STRING) {
          if (take("null")) {
            kind = ContentKind.NULL;
          } else {
            content = string();
          }
        }
        expect("}");
        if (take(",\"logprobs\":null")) {
          hasLogprobs = true;
        }
        expect(",\"finish_reason\":");
        finishReason = nullableString();
        expect("}]");
      }
      String usage = null;
      if (take(",\"usage\":")) {
        usage = take("null") ? "null" : object();
      }
      expect("}\n\n");
      if (p != end || (sawEscapedPair && sawRawSupplementary)) {
        throw NotRecognised.INSTANCE;
      }
      return new ChatChunk(
          new Envelope(
              id,
              created,
              model,
              hasFingerprint,
              fingerprint,
              hasChoice,
              index,
              role,
              kind,
              hasLogprobs,
              finishReason,
              usage,
              sawEscapedPair),
          content);
    }

    private void expect(String s) throws NotRecognised {
      if (!take(s)) {
        throw NotRecognised.INSTANCE;
      }
    }

    private void expect(byte[] s) throws NotRecognised {
      if (end - p < s.length || !Arrays.equals(b, p, p + s.length, s, 0, s.length)) {
        throw NotRecognised.INSTANCE;
      }
      p += s.length;
    }

    private boolean take(String s) {
      int n = s.length();
      if (end - p < n) {
        return false;
      }
      for (int i = 0; i < n; i++) {
        if (b[p + i] != s.charAt(i)) {
          return false;
        }
      }
      p += n;
      return true;
    }

    /** A non-negative integer without leading zeros, as Java prints a long. */
    private long number() throws NotRecognised {
      int start = p;
      long v = 0;
      while (p < end && b[p] >= '0' && b[p] <= '9') {
        if (p - start == 18) {
          throw NotRecognised.INSTANCE;
        }
        v = v * 10 + (b[p] - '0');
        p++;
      }
      if (p == start || (b[start] == '0' && p - start > 1)) {
        throw NotRecognised.INSTANCE;
      }
      return v;
    }

    private String nullableString() throws NotRecognised {
      return take("null") ? null : string();
    }

    /** A JSON object's exact text, for the usage counts: balanced braces, strict strings. */
    private String object() throws NotRecognised {
      int start = p;
      if (p >= end || b[p] != '{') {
        throw NotRecognised.INSTANCE;
      }
      int depth = 0;
      while (p < end) {
        byte c = b[p];
        if (c == '"') {
          string();
          continue;
        }
        if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          depth--;
        } else if (c < 0x20 || c == ' ' || c < 0) {
          throw NotRecognised.INSTANCE;
        }
        p++;
        if (depth == 0) {
          return new String(b, start, p - start, StandardCharsets.UTF_8);
        }
      }
      throw NotRecognised.INSTANCE;
    }

    /** A JSON string in exactly the escaping {@link ChatChunk#string} writes. */
    private String string() throws NotRecognised {
      if (p >= end || b[p] != '"') {
        throw NotRecognised.INSTANCE;
      }
      p++;
      StringBuilder s = new StringBuilder();
      while (true) {
        if (p >= end) {
          throw NotRecognised.INSTANCE;
        }
        int c = b[p] & 0xFF;
        if (c == '"') {
          p++;
          return s.toString();
        }
        if (c == '\\') {
          if (!pair(s)) {
            s.append(escape());
          }
        } else if (c < 0x20) {
          throw NotRecognised.INSTANCE;
        } else if (c < 0x80) {
          s.append((char) c);
          p++;
        } else {
          s.appendCodePoint(utf8());
        }
      }
    }

    /** An escaped surrogate pair, upper-case hex, as Jackson writes one; false if none here. */
    private boolean pair(StringBuilder s) throws NotRecognised {
      if (end - p < 12 || b[p + 1] != 'u' || b[p + 2] != 'D') {
        return false;
      }
      int hi = hex4(p + 2);
      if (hi < 0xD800 || hi > 0xDBFF) {
        throw NotRecognised.INSTANCE;
      }
      if (b[p + 6] != '\\' || b[p + 7] != 'u') {
        throw NotRecognised.INSTANCE;
      }
      int lo = hex4(p + 8);
      if (lo < 0xDC00 || lo > 0xDFFF) {
        throw NotRecognised.INSTANCE;
      }
      s.append((char) hi).append((char) lo);
      p += 12;
      sawEscapedPair = true;
      return true;
    }

    private int hex4(int at) throws NotRecognised {
      return hex(b[at]) << 12 | hex(b[at + 1]) << 8 | hex(b[at + 2]) << 4 | hex(b[at + 3]);
    }

    private char escape() throws NotRecognised {
      if (end - p < 2) {
        throw NotRecognised.INSTANCE;
      }
      byte e = b[p + 1];
      p += 2;
      switch (e) {
        case '"':
          return '"';
        case '\\':
          return '\\';
        case 'b':
          return '\b';
        case 'f':
          return '\f';
        case 'n':
          return '\n';
        case 'r':
          return '\r';
        case 't':
          return '\t';
        case 'u':
          if (end - p < 4 || b[p] != '0' || b[p + 1] != '0') {
            throw NotRecognised.INSTANCE;
          }
          int hi = hex(b[p + 2]);
          int lo = hex(b[p + 3]);
          if (hi > 1) {
            throw NotRecognised.INSTANCE;
          }
          p += 4;
          char c = (char) (hi << 4 | lo);
          if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
            throw NotRecognised.INSTANCE;
          }
          return c;
        default:
          throw NotRecognised.INSTANCE;
      }
    }

    private static int hex(byte c) throws NotRecognised {
      if (c >= '0' && c <= '9') {
        return c - '0';
      }
      if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
      }
      throw NotRecognised.INSTANCE;
    }

    /** One strictly valid UTF-8 sequence of 2 to 4 bytes: no overlong forms, no surrogates. */
    private int utf8() throws NotRecognised {
      int c = b[p] & 0xFF;
      int n;
      int cp;
      int min;
      if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        cp = c & 0x1F;
        min = 0x80;
      } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        cp = c & 0x0F;
        min = 0x800;
      } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        cp = c & 0x07;
        min = 0x10000;
      } else {
        throw NotRecognised.INSTANCE;
      }
      if (end - p <= n) {
        throw NotRecognised.INSTANCE;
      }
      for (int i = 1; i <= n; i++) {
        int d = b[p + i] & 0xFF;
        if ((d & 0xC0) != 0x80) {
          throw NotRecognised.INSTANCE;
        }
        cp = cp << 6 | (d & 0x3F);
      }
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        throw NotRecognised.INSTANCE;
      }
      p += n + 1;
      if (n == 3) {
        sawRawSupplementary = true;
      }
      return cp;
    }
  }
}
