package dev.sluice.codec;

/**
 * Follows the HTTP/1.1 response framing of a stream from its units, identically at both ends, so
 * the codec knows where a chunk-size line is expected: a chunk of a {@code Transfer-Encoding:
 * chunked} body is then coded as its data alone, and its size line and closing CRLF are derived (a
 * live SSE stream sends every event as a chunk, and the size is a hex number that changes with
 * every event). Anything unexpected only means plain lines: the framing is a coding aid, never a
 * parser that can fail.
 */
final class HttpFraming {
  static final int PLAIN = 0;
  static final int HEAD = 1;
  static final int EXPECT_SIZE = 2;
  static final int TRAILERS = 3;

  int state = PLAIN;
  private boolean chunked;

  boolean expectSize() {
    return state == EXPECT_SIZE;
  }

  void copyFrom(HttpFraming o) {
    state = o.state;
    chunked = o.chunked;
  }

  void reset() {
    state = PLAIN;
    chunked = false;
  }

  /** A chunk coded as a chunk ended: the next unit may be a size line again. */
  void chunkDone() {
    state = EXPECT_SIZE;
  }

  /** A binary unit (opaque bytes) went by. */
  void binary() {
    if (state != HEAD) {
      state = PLAIN;
    }
  }

  /** A line unit outside chunk data went by. */
  void line(byte[] b, int s, int e) {
    if (state != HEAD && startsWith(b, s, e, STATUS)) {
      state = HEAD;
      chunked = false;
      return;
    }
    switch (state) {
      case HEAD -> {
        if (blank(b, s, e)) {
          state = chunked ? EXPECT_SIZE : PLAIN;
        } else if (startsWithIgnoreCase(b, s, e, TE) && containsIgnoreCase(b, s, e, CHUNKED)) {
          chunked = true;
        }
      }
      case EXPECT_SIZE -> state = e > s && b[s] == '0' && lastChunk(b, s, e) ? TRAILERS : PLAIN;
      case TRAILERS -> {
        if (blank(b, s, e)) {
          state = PLAIN;
        }
      }
      default -> {}
    }
  }

  /**
   * If a canonical chunk starts at {@code b[s]} and ends (data and CRLF) before {@code e}: {@code
   * dataStart << 32 | dataEnd}; -2 if it would, but is not all there yet; else -1. Canonical:
   * lower-case hex without leading zeros, no extension, 1 to {@code max} data bytes.
   */
  static long chunk(byte[] b, int s, int e, int max) {
    int i = s;
    long size = 0;
    while (i < e && i - s < 8) {
      int d = b[i];
      int v = d >= '0' && d <= '9' ? d - '0' : d >= 'a' && d <= 'f' ? d - 'a' + 10 : -1;
      if (v < 0) {
        break;
      }
      size = size << 4 | v;
      i++;
    }
    if (i == s || b[s] == '0' || size > max) {
      return -1;
    }
    if (i + 2 > e) {
      return i == e || (i + 1 == e && b[i] == '\r') ? -2 : -1;
    }
    if (b[i] != '\r' || b[i + 1] != '\n') {
      return -1;
    }
    long ds = i + 2;
    long de = ds + size;
    if (de + 2 > e) {
      return -2;
    }
    if (b[(int) de] != '\r' || b[(int) de + 1] != '\n') {
      return -1;
    }
    return ds << 32 | de;
  }

  /** Writes a chunk's size line for {@code n} data bytes, as {@link #chunk} accepts it. */
  static void sizeLine(ByteBuf out, int n) {
    String hex = Integer.toHexString(n);
    for (int i = 0; i < hex.length(); i++) {
      out.put(hex.charAt(i));
    }
    out.put('\r');
    out.put('\n');
  }

  private static final byte[] STATUS = "HTTP/1.".getBytes();
  private static final byte[] TE = "transfer-encoding:".getBytes();
  private static final byte[] CHUNKED = "chunked".getBytes();

  private static boolean lastChunk(byte[] b, int s, int e) {
    int i = s;
    while (i < e && b[i] == '0') {
      i++;
    }
    return i == e || b[i] == '\r' || b[i] == '\n' || b[i] == ';';
  }

  private static boolean blank(byte[] b, int s, int e) {
    for (int i = s; i < e; i++) {
      if (b[i] != '\r' && b[i] != '\n') {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] b, int s, int e, byte[] p) {
    if (e - s < p.length) {
      return false;
    }
    for (int i = 0; i < p.length; i++) {
      if (b[s + i] != p[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWithIgnoreCase(byte[] b, int s, int e, byte[] p) {
    if (e - s < p.length) {
      return false;
    }
    for (int i = 0; i < p.length; i++) {
      if (lower(b[s + i]) != p[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean containsIgnoreCase(byte[] b, int s, int e, byte[] p) {
    for (int i = s; i + p.length <= e; i++) {
      if (startsWithIgnoreCase(b, i, e, p)) {
        return true;
      }
    }
    return false;
  }

  private static int lower(byte c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }
}
