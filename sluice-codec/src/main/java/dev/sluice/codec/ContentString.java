package dev.sluice.codec;

/**
 * Finds the answer text in an SSE event or JSON body: the bytes of the first JSON string value of a
 * {@code "content"} key, between its opening quote and the next quote not escaped by a backslash.
 * Nothing is decoded or checked: the codec codes those bytes as text and everything around them as
 * envelope, so any event round-trips, well-formed JSON or not.
 */
final class ContentString {
  private ContentString() {}

  private static final byte[] KEY = {'"', 'c', 'o', 'n', 't', 'e', 'n', 't', '"', ':', '"'};

  /**
   * Returns {@code start << 32 | end} (absolute offsets of the first content byte and of the
   * closing quote), or -1 if the piece has no complete content string.
   */
  static long find(byte[] b, int off, int len) {
    int end = off + len;
    int limit = end - KEY.length;
    outer:
    for (int i = off; i <= limit; i++) {
      if (b[i] != '"' || b[i + 1] != 'c') {
        continue;
      }
      for (int k = 2; k < KEY.length; k++) {
        if (b[i + k] != KEY[k]) {
          continue outer;
        }
      }
      int s = i + KEY.length;
      for (int j = s; j < end; j++) {
        byte c = b[j];
        if (c == '\\') {
          j++;
        } else if (c == '"') {
          return (long) s << 32 | j;
        }
      }
      return -1;
    }
    return -1;
  }
}
