package dev.sluice.codec;

import java.util.Arrays;

/**
 * Codes the parts of SSE events that are not answer text (the JSON envelope around the content
 * string, whole events without content, HTTP framing between events) as a difference from the last
 * envelope of the same class. A repeated envelope costs one well-predicted flag; a changed one is
 * coded byte by byte against the previous one (is the next byte the one the template has at the
 * aligned position? if not, the byte, from a small order-1/2/3 model), re-aligning after each
 * difference on the next 3 bytes both share.
 *
 * <p>Classes: 0 the part of an event before its content string, 1 the part after it, 2 an event
 * without content. Part of a stream's state; not thread-safe.
 */
final class EnvelopeModel {
  static final int CLASSES = 3;
  static final int MAX_TEMPLATE = 1 << 16;
  private static final int END = 256;
  private static final int BITS = 12;

  /** 0..2: the last envelope of each class; 3..5: the first of each class in the last stream. */
  final byte[][] templates = new byte[2 * CLASSES][];

  final int[] templateLen = new int[2 * CLASSES];
  private final boolean[] seen = new boolean[CLASSES];
  final BitModels flags = new BitModels(CLASSES * 64, 255);
  final BitModels bytes = new BitModels(5 << BITS, 30);
  final Mixer mixer = new Mixer(6, 256, 5, 1 << 14);
  private final int[] idx = new int[5];
  private final int[] sameHistory = new int[CLASSES];
  private byte[] out = new byte[256];

  /** The template the last envelope repeated, or null: its bytes are in {@link #out}. */
  private byte[] result;

  private byte[] alt = new byte[256];
  private int outLen;

  EnvelopeModel() {
    for (int k = 0; k < 2 * CLASSES; k++) {
      templates[k] = new byte[64];
    }
  }

  void copyFrom(EnvelopeModel o) {
    for (int k = 0; k < 2 * CLASSES; k++) {
      templates[k] = o.templates[k].clone();
      templateLen[k] = o.templateLen[k];
    }
    for (int k = 0; k < CLASSES; k++) {
      sameHistory[k] = o.sameHistory[k];
    }
    System.arraycopy(o.flags.table(), 0, flags.table(), 0, flags.table().length);
    System.arraycopy(o.bytes.table(), 0, bytes.table(), 0, bytes.table().length);
    System.arraycopy(o.mixer.w, 0, mixer.w, 0, mixer.w.length);
  }

  /**
   * Codes one envelope of class {@code k}: {@code src[off, off + len)} when encoding; returns the
   * bytes (valid until the next call) in {@link #out()} / {@link #outLength()}. When decoding, a
   * length beyond {@code max} is a format error.
   */
  void code(BitCoding c, int k, byte[] src, int off, int len, int max) throws CodecFormatException {
    byte[] t = templates[k];
    int tl = templateLen[k];
    boolean enc = !c.decoding();
    // Candidates besides the last envelope of the class: for the first of its class in a stream,
    // the first of the last stream (a role chunk looks like the last role chunk); for an event
    // without content, the last content event with its content taken out (the finish chunk).
    boolean first = !seen[k];
    int al = 0;
    if (k == 2) {
      al = templateLen[0] + templateLen[1];
      if (alt.length < al) {
        alt = new byte[Math.max(al, alt.length * 2)];
      }
      System.arraycopy(templates[0], 0, alt, 0, templateLen[0]);
      System.arraycopy(templates[1], 0, alt, templateLen[0], templateLen[1]);
    }
    int choice = 0;
    // Most envelopes repeat the last of their class exactly; then no other candidate can do better.
    boolean repeat = enc && len == tl && Arrays.equals(src, off, off + len, t, 0, tl);
    if (enc && !repeat) {
      int best = common(src, off, len, t, tl);
      if (first && common(src, off, len, templates[k + CLASSES], templateLen[k + CLASSES]) > best) {
        choice = 1;
        best = common(src, off, len, templates[k + CLASSES], templateLen[k + CLASSES]);
      }
      if (k == 2 && common(src, off, len, alt, al) > best) {
        choice = 2;
      }
    }
    if (first && flags.code(c, k * 64 + 49, choice == 1 ? 1 : 0) != 0) {
      t = templates[k + CLASSES];
      tl = templateLen[k + CLASSES];
    } else if (k == 2 && flags.code(c, k * 64 + 48 + (first ? 2 : 0), choice == 2 ? 1 : 0) != 0) {
      t = alt;
      tl = al;
    }
    int sh = sameHistory[k];
    int same =
        enc ? (repeat || (len == tl && Arrays.equals(src, off, off + len, t, 0, tl)) ? 1 : 0) : 0;
    same = flags.code(c, k * 64 + sh, same);
    sameHistory[k] = ((sh << 1) | same) & 3;
    outLen = 0;
    result = null;
    if (same != 0) {
      if (t == templates[k] && seen[k]) {
        // The envelope repeats the last of its class: nothing to copy, the template is the output.
        result = t;
        outLen = tl;
        return;
      }
      append(t, tl);
      saveTemplate(k);
      return;
    }
    int ptr = 0;
    int run = 0;
    int lit = 0;
    int i = 0;
    while (true) {
      int pred = ptr < tl ? t[ptr] & 0xFF : END;
      int actual = enc ? (i < len ? src[off + i] & 0xFF : END) : 0;
      int m =
          flags.code(
              c,
              k * 64 + 4 + Math.min(run, 15) * 2 + (pred == END ? 1 : 0),
              enc ? (actual == pred ? 1 : 0) : 0);
      if (m != 0) {
        if (pred == END) {
          break;
        }
        put(pred, max);
        ptr++;
        run++;
        lit = 0;
        i++;
        continue;
      }
      run = 0;
      if (pred != END) {
        int isEnd = flags.code(c, k * 64 + 40, enc ? (actual == END ? 1 : 0) : 0);
        if (isEnd != 0) {
          break;
        }
      }
      int b = codeByte(c, enc ? actual : 0, pred, lit);
      lit++;
      put(b, max);
      i++;
      ptr = pred == END ? ptr : ptr + 1;
      ptr = realign(t, tl, ptr);
    }
    saveTemplate(k);
  }

  /**
   * The new envelope is the template of the next one of its class (and of the next stream's first).
   */
  private void saveTemplate(int k) {
    if (!seen[k]) {
      seen[k] = true;
      copyInto(k + CLASSES);
    }
    copyInto(k);
  }

  private void copyInto(int k) {
    if (templates[k].length < outLen) {
      templates[k] = new byte[Math.max(outLen, templates[k].length * 2)];
    }
    System.arraycopy(out, 0, templates[k], 0, outLen);
    templateLen[k] = outLen;
  }

  /** Bytes of the envelope that equal the template's, at the same offset from either end. */
  private static int common(byte[] s, int off, int len, byte[] t, int tl) {
    int n = Math.min(len, tl);
    int a = Arrays.mismatch(s, off, off + n, t, 0, n);
    if (a < 0) {
      a = n;
    }
    int b = 0;
    while (b < n - a && s[off + len - 1 - b] == t[tl - 1 - b]) {
      b++;
    }
    return a + b;
  }

  private int realign(byte[] t, int tl, int ptr) {
    if (outLen < 3) {
      return ptr;
    }
    byte a = out[outLen - 3];
    byte b = out[outLen - 2];
    byte d = out[outLen - 1];
    if (ptr >= 3 && ptr <= tl && t[ptr - 3] == a && t[ptr - 2] == b && t[ptr - 1] == d) {
      return ptr;
    }
    int from = Math.max(0, ptr - 16);
    for (int q = from; q + 3 <= tl && q < ptr + 64; q++) {
      if (t[q] == a && t[q + 1] == b && t[q + 2] == d) {
        return q + 3;
      }
    }
    return ptr;
  }

  private int codeByte(BitCoding c, int value, int pred, int lit) {
    int c1 = outLen > 0 ? out[outLen - 1] & 0xFF : 0;
    int c2 = outLen > 1 ? out[outLen - 2] & 0xFF : 0;
    int c3 = outLen > 2 ? out[outLen - 3] & 0xFF : 0;
    int m = (1 << BITS) - 1;
    int c0 = 1;
    for (int bit = 7; bit >= 0; bit--) {
      idx[0] = (c1 << 8 | c0) & m;
      idx[1] = (1 << BITS) | (mix(c2 << 8 | c1, c0, 1) & m);
      idx[2] = (2 << BITS) | (mix(c3 << 16 | c2 << 8 | c1, c0, 2) & m);
      idx[3] = (3 << BITS) | (mix(pred << 8 | c1, c0, 3) & m);
      // Inside a run of differences (an id, a number): what such runs are made of.
      idx[4] = (4 << BITS) | (mix(Math.min(lit, 3) << 8 | charClass(pred), c0, 4) & m);
      for (int j = 0; j < 5; j++) {
        mixer.add(Logistic.stretch(bytes.p(idx[j])));
      }
      mixer.add(256);
      int p = Logistic.squash(mixer.mix(c0));
      p = p < 1 ? 1 : Math.min(p, 4095);
      int y = c.code((value >>> bit) & 1, p);
      mixer.update(y);
      for (int j = 0; j < 5; j++) {
        bytes.update(idx[j], y);
      }
      c0 = c0 << 1 | y;
    }
    return c0 & 0xFF;
  }

  private static int charClass(int b) {
    if (b >= '0' && b <= '9') {
      return 1;
    }
    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
      return 2;
    }
    return b == END ? 3 : 4 + (b & 0x7F);
  }

  private static int mix(int a, int c0, int salt) {
    int x = (a * 0x9E37_79B1) ^ (c0 * 0x85EB_CA6B) ^ (salt * 0xC2B2_AE35);
    x ^= x >>> 15;
    x *= 0x2C1B_3C6D;
    x ^= x >>> 12;
    return x;
  }

  private void put(int b, int max) throws CodecFormatException {
    if (outLen >= max) {
      throw new CodecFormatException(-1, "an envelope longer than " + max + " bytes");
    }
    if (outLen == out.length) {
      out = java.util.Arrays.copyOf(out, out.length * 2);
    }
    out[outLen++] = (byte) b;
  }

  private void append(byte[] t, int tl) {
    if (out.length < tl) {
      out = new byte[Math.max(tl, out.length * 2)];
    }
    System.arraycopy(t, 0, out, 0, tl);
    outLen = tl;
  }

  int sameHistoryOf(int k) {
    return sameHistory[k];
  }

  void setSameHistory(int k, int v) {
    sameHistory[k] = v;
  }

  byte[] out() {
    return result != null ? result : out;
  }

  int outLength() {
    return outLen;
  }
}
