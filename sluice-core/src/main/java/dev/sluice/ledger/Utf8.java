package dev.sluice.ledger;

/**
 * UTF-8 length and encoding without intermediate arrays, for {@link EntryCodec}. Rejects unpaired
 * surrogates instead of replacing them, so that decoding always gives back the original string.
 * Thread-safe: stateless.
 */
final class Utf8 {

  private Utf8() {}

  /** The UTF-8 byte length of {@code s}; {@code where} names the field in error messages. */
  static int length(String s, String where) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 == s.length()
            || !Character.isLowSurrogate(s.charAt(i + 1))) {
          throw new IllegalArgumentException(
              "field '" + where + "' holds an unpaired surrogate at char " + i);
        }
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  /** Writes {@code s} (already checked by {@link #length}) at {@code pos}; returns the end. */
  static int write(String s, byte[] out, int pos) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out[pos++] = (byte) c;
      } else if (c < 0x800) {
        out[pos++] = (byte) (0xC0 | c >> 6);
        out[pos++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c)) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out[pos++] = (byte) (0xF0 | cp >> 18);
        out[pos++] = (byte) (0x80 | cp >> 12 & 0x3F);
        out[pos++] = (byte) (0x80 | cp >> 6 & 0x3F);
        out[pos++] = (byte) (0x80 | cp & 0x3F);
      } else {
        out[pos++] = (byte) (0xE0 | c >> 12);
        out[pos++] = (byte) (0x80 | c >> 6 & 0x3F);
        out[pos++] = (byte) (0x80 | c & 0x3F);
      }
    }
    return pos;
  }
}
