package dev.sluice.codec;

/**
 * Codes the pieces of a CM block (SSE events, or parts of them, as {@link SseEvents} cut them) with
 * the stream's models: for each piece whether it holds a content string; if so the envelope before
 * it, the text, and the envelope after it; else the whole piece as an envelope.
 *
 * <p>Text and chunk boundaries are coded together: at each position the codec first says whether a
 * next character is coded at all (an escape ends the chunk when the encoder cannot see the next
 * chunk's first character: the end of a block, or a next event without content), then codes the
 * next character with the text model, then whether the chunk ends before it. So where the chunk
 * ends is coded knowing the character after the end, which is most of what decides it. A character
 * coded after a boundary opens the next content piece, which must follow in the same block.
 *
 * <p>One instance per stream; the same code encodes, decodes and replays.
 */
final class PieceCoder {
  static final int MAX_PIECE = 64 << 10;

  private static final int F_HAS = 0;
  private static final int F_ESC = 8;

  final TextModel text;
  final EnvelopeModel env;
  final BitModels flags;
  private int pendingChar = -1;
  private int prevHas;

  PieceCoder(CodecModel model) {
    this(model.text(), model.envelope(), model.flags());
  }

  /** A coder starting from these statistics (copied: the stream adapts its own copies). */
  PieceCoder(TextTables tables, EnvelopeModel envelope, int[] flagState) {
    text = new TextModel(tables);
    env = new EnvelopeModel();
    env.copyFrom(envelope);
    flags = new BitModels(64, 255);
    System.arraycopy(flagState, 0, flags.table(), 0, flags.table().length);
  }

  /** The adaptive statistics this stream ended with, as the start of the next (training). */
  TextTables carriedText(TextTables tables) {
    return tables.withState(
        text.mixer1.clone(),
        text.mixer2.clone(),
        text.matchModels.table().clone(),
        text.boundaryState());
  }

  /** Receives the bytes of decoded pieces. */
  interface Out {
    void write(byte[] b, int off, int len) throws CodecFormatException;

    void write(int b) throws CodecFormatException;
  }

  static final Out DISCARD =
      new Out() {
        @Override
        public void write(byte[] b, int off, int len) {}

        @Override
        public void write(int b) {}
      };

  /** Whether the piece opens with a character coded with the previous piece. */
  boolean pending() {
    return pendingChar >= 0;
  }

  /**
   * Codes one piece. Encoding or replaying: {@code b[off, off + len)} is the piece, {@code content}
   * its {@link ContentString#find} result and {@code nextFirst} the first content byte of the next
   * piece of the block (-1 if it has none, or is not in this block). Decoding: those are ignored
   * and the piece goes to {@code out}.
   */
  void code(BitCoding c, byte[] b, int off, int len, long content, int nextFirst, Out out)
      throws CodecFormatException {
    boolean enc = !c.decoding();
    c.mark(0);
    int has;
    if (pendingChar >= 0) {
      has = 1;
    } else {
      has = flags.code(c, F_HAS + prevHas, enc && content >= 0 ? 1 : 0);
    }
    prevHas = has;
    if (has == 0) {
      c.mark(6);
      env.code(c, 2, b, off, len, MAX_PIECE);
      out.write(env.out(), 0, env.outLength());
      return;
    }
    int cs = enc ? (int) (content >>> 32) : 0;
    int ce = enc ? (int) content : 0;
    c.mark(1);
    env.code(c, 0, b, off, cs - off, MAX_PIECE);
    int used = env.outLength();
    out.write(env.out(), 0, used);
    int n = ce - cs;
    int l = 0;
    int chunkHash = 0;
    if (pendingChar >= 0) {
      out.write(pendingChar);
      chunkHash = (chunkHash + pendingChar + 1) * 0x01000193;
      pendingChar = -1;
      l = 1;
    }
    while (true) {
      int escBit = 0;
      int next = 0;
      int bnd = 0;
      if (enc) {
        if (l < n) {
          next = b[cs + l] & 0xFF;
        } else if (nextFirst >= 0) {
          next = nextFirst;
          bnd = 1;
        } else {
          escBit = 1;
        }
      }
      c.mark(2);
      if (flags.code(c, F_ESC + Math.min(l, 15), escBit) != 0) {
        break;
      }
      c.mark(3);
      int ch = text.codeByte(c, next);
      c.mark(4);
      if (text.codeBoundary(c, ch, l, chunkHash, bnd) != 0) {
        pendingChar = ch;
        break;
      }
      out.write(ch);
      chunkHash = (chunkHash + ch + 1) * 0x01000193;
      l++;
      if (l + used > MAX_PIECE) {
        throw new CodecFormatException(-1, "a content string longer than " + MAX_PIECE + " bytes");
      }
    }
    c.mark(5);
    env.code(c, 1, b, ce, off + len - ce, MAX_PIECE);
    out.write(env.out(), 0, env.outLength());
  }
}
