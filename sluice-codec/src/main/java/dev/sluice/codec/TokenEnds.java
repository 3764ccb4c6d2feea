package dev.sluice.codec;

import java.util.Arrays;

/**
 * Where a text value's tokens end, coded with the text ({@link TextCoder}): whether the current
 * chunk ends before the next character (already coded: the look-ahead), or, with no next character
 * in the section, whether the value ends here; and the top bit of each text byte, which carries
 * almost nothing and is coded directly. Small adaptive models hashed from the next character, the
 * characters before it ({@code hist}: the last eight bytes of the text model's history, newest
 * lowest), the chunk so far and what the o200k and cl100k vocabularies say ({@link TokenVocab});
 * one mixer for boundaries, one for ends. Their state is part of the model file's tuned start
 * ({@link #state}). Part of a stream's {@link TextModel}.
 */
final class TokenEnds {
  // Boundary model: contexts hashed from the next character and the text before it.
  private static final int B_BITS = 9;
  private static final int B_CONTEXTS = 8;

  // The top bit of each text byte: models after the boundary contexts, in the same saved state.
  private static final int TOP = B_CONTEXTS << B_BITS;
  private static final int TOP_CONTEXTS = 128;

  // Whether a value ends with no next character to code (a frame ends after it): its own contexts.
  private static final int END = TOP + TOP_CONTEXTS;
  private static final int E_BITS = 8;
  private static final int E_CONTEXTS = 5;

  private final BitModels bModels =
      new BitModels((B_CONTEXTS << B_BITS) + TOP_CONTEXTS + (E_CONTEXTS << E_BITS), 255);
  private final Mixer bMixer = new Mixer(B_CONTEXTS + 1, 64, 4, 1 << 14);
  private final Mixer eMixer = new Mixer(E_CONTEXTS + 1, 128, 4, 1 << 14);
  private final int[] bIdx = new int[B_CONTEXTS];
  private final int[] eIdx = new int[E_CONTEXTS];

  /** Codes the top bit of a text byte in its context {@code cx} (0..127). */
  int codeTop(BitCoding c, int cx, int bit) {
    return bModels.code(c, TOP + cx, bit);
  }

  /** The models' and mixers' state, as the model file keeps it. */
  int[] state() {
    int[] b = bModels.table();
    int[] out = Arrays.copyOf(b, b.length + bMixer.w.length + eMixer.w.length);
    System.arraycopy(bMixer.w, 0, out, b.length, bMixer.w.length);
    System.arraycopy(eMixer.w, 0, out, b.length + bMixer.w.length, eMixer.w.length);
    return out;
  }

  void restore(int[] s) {
    int[] b = bModels.table();
    System.arraycopy(s, 0, b, 0, b.length);
    System.arraycopy(s, b.length, bMixer.w, 0, bMixer.w.length);
    System.arraycopy(s, b.length + bMixer.w.length, eMixer.w, 0, eMixer.w.length);
  }

  /**
   * Codes whether the current chunk ends before {@code next} (already coded, not yet in the
   * history), {@code sinceStart} characters into the chunk.
   */
  int codeBoundary(
      BitCoding c,
      int next,
      int sinceStart,
      int chunkHash,
      int bit,
      int vocabW,
      int vocabWc,
      long hist) {
    int len = Math.min(sinceStart, 15);
    // The history already ends with next: the characters before it are one byte further back.
    int c1 = (int) ((hist >>> 8) & 0xFF);
    int c2 = (int) ((hist >>> 16) & 0xFF);
    int m = (1 << B_BITS) - 1;
    bIdx[0] = (next << 4 | len) & m;
    bIdx[1] = (1 << B_BITS) | (TextModel.hash64((long) next << 8 | c1, 11) & m);
    bIdx[2] = (2 << B_BITS) | (TextModel.hash64((long) next << 16 | c1 << 8 | c2, 12) & m);
    bIdx[3] =
        (3 << B_BITS) | (TextModel.hash64((long) next << 12 | classOf(c1) << 8 | len, 13) & m);
    bIdx[4] = (4 << B_BITS) | (TextModel.hash64((long) chunkHash << 8 | next, 14) & m);
    bIdx[5] =
        (5 << B_BITS)
            | (TextModel.hash64(
                    (long) classOf(next) << 16 | classOf(c1) << 8 | classOf(c2) << 4 | len, 15)
                & m);
    // What the vocabularies say: is the text so far a token, is it with the next character a
    // prefix of one (o200k, cl100k).
    int vf = cutFeatures(vocabW, vocabWc);
    bIdx[6] = (6 << B_BITS) | (TextModel.hash64((long) vf << 8 | next, 16) & m);
    bIdx[7] =
        (7 << B_BITS)
            | (TextModel.hash64((long) vf << 12 | classOf(next) << 8 | classOf(c1) << 4 | len, 17)
                & m);
    for (int i = 0; i < B_CONTEXTS; i++) {
      bMixer.add(Logistic.stretch(bModels.p(bIdx[i])));
    }
    bMixer.add(256);
    int p = Logistic.squash(bMixer.mix(len | (vf & 3) << 4));
    if (p < 1) {
      p = 1;
    } else if (p > 4095) {
      p = 4095;
    }
    int y = c.code(bit, p);
    bMixer.update(y);
    for (int i = 0; i < B_CONTEXTS; i++) {
      bModels.update(bIdx[i], y);
    }
    return y;
  }

  /**
   * Codes whether a value ends after the {@code sinceStart} characters coded so far without a next
   * character being coded (the end of what a frame carries of a stream), from what came before.
   */
  int codeEnd(
      BitCoding c, int sinceStart, int chunkHash, int bit, int vocabW, int section, long hist) {
    int len = Math.min(sinceStart, 15);
    int c1 = (int) (hist & 0xFF);
    int c2 = (int) ((hist >>> 8) & 0xFF);
    int m = (1 << E_BITS) - 1;
    eIdx[0] = END + ((c1 << 4 | len | (section == 1 ? 1 << (E_BITS - 1) : 0)) & m);
    eIdx[1] = END + ((1 << E_BITS) | (TextModel.hash64((long) c1 << 8 | c2, 21) & m));
    eIdx[2] = END + ((2 << E_BITS) | (TextModel.hash64(chunkHash, 22) & m));
    eIdx[3] =
        END
            + ((3 << E_BITS)
                | (TextModel.hash64((long) classOf(c1) << 8 | classOf(c2) << 4 | len, 23) & m));
    int vf = endFeatures(vocabW);
    eIdx[4] = END + ((4 << E_BITS) | (TextModel.hash64((long) vf << 12 | c1 << 4 | len, 24) & m));
    for (int i = 0; i < E_CONTEXTS; i++) {
      eMixer.add(Logistic.stretch(bModels.p(eIdx[i])));
    }
    eMixer.add(256);
    int p = Logistic.squash(eMixer.mix(len | (vf & 3) << 4 | (section == 1 ? 64 : 0)));
    p = p < 1 ? 1 : Math.min(p, 4095);
    int y = c.code(bit, p);
    eMixer.update(y);
    for (int i = 0; i < E_CONTEXTS; i++) {
      bModels.update(eIdx[i], y);
    }
    return y;
  }

  /**
   * Bits 0-1: the text and next character are a prefix (o200k, cl100k); 2-3: the text is a token.
   */
  private static int cutFeatures(int w, int wc) {
    int p0 = (wc & TokenVocab.PREFIX) != 0 ? 1 : 0;
    int p1 = (wc & TokenVocab.PREFIX << 3) != 0 ? 2 : 0;
    int t0 = (w & TokenVocab.TOKEN) != 0 ? 4 : 0;
    int t1 = (w & TokenVocab.TOKEN << 3) != 0 ? 8 : 0;
    return p0 | p1 | t0 | t1;
  }

  /** Bits 0-1: the text is a token (o200k, cl100k); 2-3: a longer token extends it. */
  private static int endFeatures(int w) {
    int t0 = (w & TokenVocab.TOKEN) != 0 ? 1 : 0;
    int t1 = (w & TokenVocab.TOKEN << 3) != 0 ? 2 : 0;
    int x0 = (w & TokenVocab.EXTENDS) != 0 ? 4 : 0;
    int x1 = (w & TokenVocab.EXTENDS << 3) != 0 ? 8 : 0;
    return t0 | t1 | x0 | x1;
  }

  private static int classOf(int b) {
    if (b >= 'a' && b <= 'z') {
      return 1;
    }
    if (b >= 'A' && b <= 'Z') {
      return 2;
    }
    if (b >= '0' && b <= '9') {
      return 3;
    }
    if (b == ' ') {
      return 4;
    }
    if (b >= 0x80) {
      return 5;
    }
    return 6 + (b & 7);
  }
}
