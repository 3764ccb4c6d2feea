package dev.sluice.codec;

/**
 * Tells identifiers from text by what a string holds: no whitespace, at least 8 bytes, and either
 * letters and digits mixed several times ({@code chatcmpl-B9MBs8Cjcv...}, {@code fp_fc9f1d7035},
 * {@code gpt-4o-2024-08-06}) or a long run of hex. Model text that happens to look like this (a
 * token {@code x86_64}) still goes through the text model once its slot has carried text.
 */
final class Identifiers {
  private Identifiers() {}

  static boolean looksLikeId(byte[] b, int s, int e) {
    int n = e - s;
    if (n < 8) {
      return false;
    }
    int switches = 0;
    int last = -1;
    boolean hex = true;
    for (int i = s; i < e; i++) {
      int c = b[i];
      if (c == ' ' || c == '\t' || c == '\\') {
        return false;
      }
      int k = c >= '0' && c <= '9' ? 0 : c >= 'a' && c <= 'z' ? 1 : c >= 'A' && c <= 'Z' ? 2 : 3;
      if (k != 3 && last != -1 && k != last) {
        switches++;
      }
      if (k != 3) {
        last = k;
      }
      hex &= k == 0 || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-' || c == '_';
    }
    return switches >= 3 || (hex && n >= 16);
  }
}
