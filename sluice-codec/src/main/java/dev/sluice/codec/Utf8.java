package dev.sluice.codec;

/** Strict UTF-8: what a character is, and whether bytes are one. */
final class Utf8 {
  private Utf8() {}

  /**
   * The length of the well-formed UTF-8 character at {@code b[i]} (1..4; no overlong forms,
   * surrogates or code points above U+10FFFF), or 0 if there is none before {@code end}.
   */
  static int length(byte[] b, int i, int end) {
    int c = b[i] & 0xFF;
    if (c < 0x80) {
      return 1;
    }
    int n;
    int min;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      min = 0x10000;
    } else {
      return 0;
    }
    if (i + n > end) {
      return 0;
    }
    int cp = c & (0x3F >> (n - 1));
    for (int k = 1; k < n; k++) {
      int x = b[i + k] & 0xFF;
      if ((x & 0xC0) != 0x80) {
        return 0;
      }
      cp = cp << 6 | (x & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return 0;
    }
    return n;
  }

  /** The code point of the well-formed character of {@code n} bytes at {@code b[i]}. */
  static int codePoint(byte[] b, int i, int n) {
    int c = b[i] & 0xFF;
    if (n == 1) {
      return c;
    }
    int cp = c & (0x3F >> (n - 1));
    for (int k = 1; k < n; k++) {
      cp = cp << 6 | (b[i + k] & 0x3F);
    }
    return cp;
  }

  /** The length of the character whose first byte is {@code c} (1 for a continuation byte). */
  static int lengthOfLead(int c) {
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  }

  /** Whether {@code b[s, e)} is well-formed UTF-8. */
  static boolean valid(byte[] b, int s, int e) {
    int i = s;
    while (i < e) {
      int n = length(b, i, e);
      if (n == 0) {
        return false;
      }
      i += n;
    }
    return true;
  }
}
