package dev.sluice.detect.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds runs of base64 or hex text and decodes them, minimally: enough for the tensor detector to
 * look at what they carry. (The fingerprint index's decoders, {@code dev.sluice.detect.decode}, are
 * the full ones; this stays private to the detector until both are unified.)
 *
 * <p>A run is a maximal stretch of base64 alphabet characters ({@code A-Z a-z 0-9 + / - _}, with
 * {@code =} padding and CR/LF line breaks inside it skipped) at least {@link #MIN_RUN} characters
 * long. A run made of hex digits only is hex. Decoding starts at a given phase (characters skipped
 * at the start of the run), because a run cut by the edge of the scanned bytes may start in the
 * middle of a base64 quantum or a hex pair.
 */
final class EncodedRuns {
  /** Shortest run looked at (48 bytes of base64, 32 of hex). */
  static final int MIN_RUN = 64;

  static final boolean[] BASE64 = new boolean[256];
  static final boolean[] HEX = new boolean[256];
  private static final byte[] VALUE = new byte[256];

  static {
    String b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    java.util.Arrays.fill(VALUE, (byte) -1);
    for (int i = 0; i < 64; i++) {
      VALUE[b64.charAt(i)] = (byte) i;
      BASE64[b64.charAt(i)] = true;
    }
    VALUE['-'] = 62;
    VALUE['_'] = 63;
    BASE64['-'] = true;
    BASE64['_'] = true;
    for (char c : "0123456789abcdefABCDEF".toCharArray()) {
      HEX[c] = true;
    }
  }

  /**
   * One run: characters {@code [start, end)} of the scanned bytes, hex or base64; {@code cutStart}
   * and {@code cutEnd} say whether it touches the edges of the scanned bytes (and so may be cut).
   */
  record Run(int start, int end, boolean hex, boolean cutStart, boolean cutEnd) {}

  private EncodedRuns() {}

  /** The runs in {@code b[from, to)}, in order. */
  static List<Run> find(byte[] b, int from, int to) {
    List<Run> runs = new ArrayList<>();
    int i = from;
    while (i < to) {
      while (i < to && !BASE64[b[i] & 0xff]) {
        i++;
      }
      int start = i;
      int chars = 0;
      boolean hex = true;
      int last = i;
      while (i < to) {
        int c = b[i] & 0xff;
        if (BASE64[c]) {
          hex &= HEX[c];
          chars++;
          i++;
          last = i;
        } else if (c == '=' || c == '\n' || c == '\r') {
          i++;
        } else {
          break;
        }
      }
      if (chars >= MIN_RUN) {
        runs.add(new Run(start, last, hex, start == from, i >= to));
      }
    }
    return runs;
  }

  /** Decodes {@code run} starting {@code phase} characters in; returns the decoded bytes. */
  static byte[] decode(byte[] b, Run run, int phase) {
    return run.hex() ? hex(b, run, phase) : base64(b, run, phase);
  }

  private static byte[] hex(byte[] b, Run run, int phase) {
    byte[] out = new byte[(run.end() - run.start()) / 2 + 1];
    int n = 0;
    int hi = -1;
    int skip = phase;
    for (int i = run.start(); i < run.end(); i++) {
      int c = b[i] & 0xff;
      if (!HEX[c]) {
        continue;
      }
      if (skip > 0) {
        skip--;
        continue;
      }
      int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
      if (hi < 0) {
        hi = v;
      } else {
        out[n++] = (byte) (hi << 4 | v);
        hi = -1;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static byte[] base64(byte[] b, Run run, int phase) {
    byte[] out = new byte[(run.end() - run.start()) / 4 * 3 + 3];
    int n = 0;
    int acc = 0;
    int bits = 0;
    int skip = phase;
    for (int i = run.start(); i < run.end(); i++) {
      int v = VALUE[b[i] & 0xff];
      if (v < 0) {
        continue;
      }
      if (skip > 0) {
        skip--;
        continue;
      }
      acc = acc << 6 | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[n++] = (byte) (acc >>> bits);
        acc &= (1 << bits) - 1;
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }
}
