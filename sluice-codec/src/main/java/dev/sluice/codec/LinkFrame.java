package dev.sluice.codec;

import java.util.List;

/**
 * The payload of one link codec frame, version 1 (codec 2 of the edge link).
 *
 * <pre>
 * u8      flags: bit 0 set when a byte area follows (other bits 0)
 * varint  area length a (only with bit 0)
 * a       the byte area: the bytes of the frame's binary units and stored sections, in order
 * rest    one arithmetic code (lpaq1's coder, 12-bit probabilities) of:
 *           for each stream the link's codec knows (it was in an earlier frame and is open), by
 *             ascending id: whether it is in this frame (an adaptive bit per stream)
 *           for each stream new to the codec, by ascending id: a flag 1 (adaptive), its id as
 *             Elias-gamma of the zigzagged difference from the id after the last new one; then 0
 *           for each stream in the frame, known ones first, each group by ascending id: a restart
 *             flag (its model state starts afresh on both ends), a stored flag; a stored section's
 *             length (Elias-gamma), its bytes in the area, replayed through the models by the
 *             decoder; else the stream's section ({@link StreamCodec})
 * </pre>
 *
 * <p>Flags with fixed probabilities cost a small fraction of a bit when 0; the bits of Elias-gamma
 * codes are even. A frame's fixed cost is the flags byte, the coder's last byte and the presence
 * bits: a few bytes however many streams it carries.
 */
final class LinkFrame {
  private LinkFrame() {}

  /** Probability (of 4096) of a restart or stored flag being 1. */
  static final int P_RARE = 16;

  static final int AREA = 1;

  /** A stream as the frame writer sees it. */
  interface Section {
    int id();

    boolean restart();

    boolean stored();

    DecisionLog log();

    ByteBuf area();

    boolean active();

    void activate();

    char presence();

    void presence(char p);
  }

  static int p(char state) {
    return (state & 15) == 0 ? 2048 : state >>> 4;
  }

  static void gamma(BitCoding c, long v) {
    long x = v + 1;
    int bits = 64 - Long.numberOfLeadingZeros(x);
    for (int k = 1; k < bits; k++) {
      c.code(0, 2048);
    }
    for (int k = bits - 1; k >= 0; k--) {
      c.code((int) (x >>> k) & 1, 2048);
    }
  }

  static long ungamma(BitCoding c) throws CodecFormatException {
    int zeros = 0;
    while (c.code(0, 2048) == 0) {
      if (++zeros > 40) {
        throw new CodecFormatException(-1, "an Elias-gamma code longer than 40 bits");
      }
    }
    long x = 1;
    for (int k = 0; k < zeros; k++) {
      x = x << 1 | c.code(0, 2048);
    }
    return x - 1;
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** Writes frames on the encoder's side. */
  static final class Writer {
    private final ArithmeticEncoder arith = new ArithmeticEncoder(null);
    private char newState;
    private long expectedNew;

    /**
     * The payload of a frame carrying {@code inFrame} (sorted by id); {@code active}: the streams
     * the codec knows, sorted by id. Only with {@code commit} do the adaptive bits learn and new
     * streams become known; the bytes are the same either way.
     */
    byte[] write(List<Section> active, List<Section> inFrame, boolean commit) {
      ByteBuf code = new ByteBuf(64);
      arith.start(code);
      int j = 0;
      for (Section s : active) {
        while (j < inFrame.size() && inFrame.get(j).id() < s.id()) {
          j++;
        }
        int bit = j < inFrame.size() && inFrame.get(j) == s ? 1 : 0;
        arith.code(bit, p(s.presence()));
        if (commit) {
          s.presence(TextTables.learn(s.presence(), bit));
        }
      }
      long expected = expectedNew;
      char ns = newState;
      for (Section s : inFrame) {
        if (!s.active()) {
          arith.code(1, p(ns));
          ns = TextTables.learn(ns, 1);
          gamma(arith, zigzag(s.id() - expected));
          expected = s.id() + 1L;
        }
      }
      arith.code(0, p(ns));
      ns = TextTables.learn(ns, 0);
      ByteBuf area = new ByteBuf(16);
      for (int pass = 0; pass < 2; pass++) {
        for (Section s : inFrame) {
          if (s.active() == (pass == 0)) {
            arith.code(s.restart() ? 1 : 0, P_RARE);
            arith.code(s.stored() ? 1 : 0, P_RARE);
            if (s.stored()) {
              gamma(arith, s.area().n);
            } else {
              s.log().replay(arith);
            }
            area.put(s.area().a, 0, s.area().n);
          }
        }
      }
      arith.finish();
      arith.start(null);
      if (commit) {
        newState = ns;
        expectedNew = expected;
        for (Section s : inFrame) {
          s.activate();
        }
      }
      ByteBuf out = new ByteBuf(code.n + area.n + 8);
      if (area.n > 0) {
        out.put(AREA);
        out.varint(area.n);
        out.put(area.a, 0, area.n);
      } else {
        out.put(0);
      }
      out.put(code.a, 0, code.n);
      return out.toArray();
    }
  }

  /** Reads frames on the decoder's side: the same adaptive bits, learnt as they are read. */
  static final class ReaderState {
    char newState;
    long expectedNew;
  }
}
