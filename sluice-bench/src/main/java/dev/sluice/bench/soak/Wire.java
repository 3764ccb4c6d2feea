package dev.sluice.bench.soak;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Blocking socket helpers of the soak traffic: reading an HTTP head or a line, writing filler. */
final class Wire {
  /** Longest head or line read; longer is a protocol error. */
  static final int MAX_HEAD = 16 * 1024;

  private static final byte[] FILLER = filler();

  private Wire() {}

  /**
   * Reads up to and including the blank line that ends an HTTP head (or up to end of stream).
   *
   * @return the bytes read, possibly fewer than a whole head when the stream ended early
   */
  static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(256);
    int state = 0; // how much of CR LF CR LF has been seen
    while (head.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : (b == '\r' ? 1 : 0);
      if (state == 4) {
        break;
      }
    }
    return head.toByteArray();
  }

  /** Whether {@code head} is a whole head (it ends with the blank line). */
  static boolean complete(byte[] head) {
    int n = head.length;
    return n >= 4
        && head[n - 4] == '\r'
        && head[n - 3] == '\n'
        && head[n - 2] == '\r'
        && head[n - 1] == '\n';
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** The value of header {@code name} in {@code head} (case-insensitive name), or null. */
  static String header(String head, String name) {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return null;
  }

  /** Reads one line up to and including {@code \n} (at most {@link #MAX_HEAD} bytes). */
  static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    while (line.size() < MAX_HEAD) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    return line.toByteArray();
  }

  /** Writes {@code n} filler bytes. */
  static void writeFiller(OutputStream out, long n) throws IOException {
    long left = n;
    while (left > 0) {
      int k = (int) Math.min(left, FILLER.length);
      out.write(FILLER, 0, k);
      left -= k;
    }
    out.flush();
  }

  /** Reads to end of stream, passing each count read to {@code sink}; returns the total. */
  static long drain(InputStream in, java.util.function.LongConsumer sink) throws IOException {
    byte[] buf = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      sink.accept(n);
    }
    return total;
  }

  private static byte[] filler() {
    byte[] b = new byte[16 * 1024];
    Arrays.fill(b, (byte) 'x');
    for (int i = 63; i < b.length; i += 64) {
      b[i] = '\n';
    }
    return b;
  }
}
