package dev.sluice.codec;

/**
 * Codes which shape a unit has: the one that followed the previous unit's shape last time (one
 * well-predicted flag in a regular stream), else its rank among the stream's shapes, else a new
 * shape as a difference from the closest known one (a stream shape or a library shape). A new
 * shape's slots take their templates from the reference's values where the difference aligned them.
 */
final class ShapeCoder {
  private static final int PRED = 0;
  private static final int RANK = 20;
  private static final int FROM_LIB = 36;
  private static final int LIB_PRED = 40;
  private static final int FLAGS = 44;

  final Probs flags = new Probs(FLAGS);
  final ShapeTable table = new ShapeTable();
  final KeyMemory memory = new KeyMemory();
  private final DiffCoder diff;
  private final ShapeLibrary library;

  /** The shape of the last unit coded, or null. */
  Shape prev;

  /** The shape of the last unit that was not a blank line, or null. */
  private Shape lastSig;

  /** Every shape coded, in order, when training asks for it (null otherwise). */
  java.util.List<Shape> trace;

  ShapeCoder(DiffCoder diff, ShapeLibrary library) {
    this.diff = diff;
    this.library = library;
  }

  /**
   * Codes the shape {@code b[0, len)} (encoding; ignored when decoding) and returns the stream's
   * shape object for it, with templates in place.
   */
  Shape code(BitCoding c, byte[] b, int off, int len) throws CodecFormatException {
    if (off != 0) {
      if (scratch.length < len) {
        scratch = new byte[Math.max(len, scratch.length * 2)];
      }
      System.arraycopy(b, off, scratch, 0, len);
      b = scratch;
    }
    boolean enc = !c.decoding();
    c.mark(BitCoding.M_SHAPE);
    // The shape that followed the last one; after a blank line (an SSE event's end), the one that
    // followed the last event's line: events follow events, not blank lines.
    boolean afterBlank = prev == null || prev.blank;
    Shape base = afterBlank ? lastSig : prev;
    int nextId = base == null ? -1 : afterBlank ? base.sigNext : base.next;
    Shape predicted = nextId < 0 ? null : table.byId(nextId);
    Shape sh = null;
    if (predicted != null) {
      int hits = afterBlank ? base.sigHits : base.nextHits;
      int ctx = PRED + 1 + (hits & 3) * 2 + (afterBlank ? 1 : 0) + (base == predicted ? 8 : 0);
      int hitBit = enc && predicted.sameBytes(b, len) ? 1 : 0;
      int hit = flags.code(c, ctx, hitBit);
      if (afterBlank) {
        base.sigHits = (base.sigHits << 1 | hit) & 3;
      } else {
        base.nextHits = (base.nextHits << 1 | hit) & 3;
      }
      if (hit != 0) {
        sh = predicted;
      }
    }
    if (sh == null) {
      Shape found = enc ? table.find(b, len) : null;
      int r = rank(c, enc ? (found == null ? table.size : table.rank(found)) : 0, table.size);
      if (r < table.size) {
        sh = table.order[r];
      } else {
        sh = create(c, b, len);
      }
    }
    table.use(sh);
    if (prev != null) {
      prev.next = sh.id;
    }
    if (!sh.blank) {
      if (lastSig != null) {
        lastSig.sigNext = sh.id;
      }
      lastSig = sh;
    }
    prev = sh;
    if (trace != null) {
      trace.add(sh);
    }
    return sh;
  }

  /** Codes a rank in 0..size (size: none of them): flags for the first 8, then 6 bits. */
  private int rank(BitCoding c, int r, int size) throws CodecFormatException {
    int k = 0;
    for (; k < Math.min(size, 8); k++) {
      if (flags.code(c, RANK + k, r == k ? 1 : 0) != 0) {
        return k;
      }
    }
    if (size <= 8) {
      return size;
    }
    int rest = 0;
    for (int bit = 5; bit >= 0; bit--) {
      rest = rest << 1 | c.code(((r - 8) >>> bit) & 1, 2048);
    }
    if (rest > size - 8) {
      throw new CodecFormatException(-1, "shape rank " + (rest + 8) + " of " + size);
    }
    return rest + 8;
  }

  private Shape create(BitCoding c, byte[] b, int len) throws CodecFormatException {
    boolean enc = !c.decoding();
    // The reference: the known shape (stream first, then library) sharing most bytes at both ends.
    Shape ref = null;
    int refLib = -1;
    int refRank = -1;
    if (enc) {
      int best = -1;
      for (int r = 0; r < table.size; r++) {
        int s = common(b, len, table.order[r].bytes);
        if (s > best) {
          best = s;
          ref = table.order[r];
          refRank = r;
        }
      }
      for (int k = 0; k < library.size(); k++) {
        int s = common(b, len, library.shapes[k].bytes);
        if (s > best) {
          best = s;
          ref = library.shapes[k];
          refLib = k;
          refRank = -1;
        }
      }
      if (ref == null || best <= 0) {
        ref = null;
        refLib = library.size();
        refRank = -1;
      }
    }
    int fromLib = flags.code(c, FROM_LIB + (table.size == 0 ? 0 : 1), refRank < 0 ? 1 : 0);
    if (fromLib != 0) {
      boolean afterBlank = prev == null || prev.blank;
      Shape base = afterBlank ? lastSig : prev;
      int predicted =
          base == null || base.lib < 0
              ? library.first
              : afterBlank ? library.shapes[base.lib].libSigNext : library.shapes[base.lib].libNext;
      int hit = 0;
      if (predicted >= 0) {
        hit = flags.code(c, LIB_PRED + (prev == null ? 0 : 1), enc && refLib == predicted ? 1 : 0);
      }
      if (hit != 0) {
        refLib = predicted;
      } else {
        int k = 0;
        for (int bit = library.indexBits - 1; bit >= 0; bit--) {
          k = k << 1 | c.code((refLib >>> bit) & 1, 2048);
        }
        if (k > library.size()) {
          throw new CodecFormatException(-1, "library shape " + k + " of " + library.size());
        }
        refLib = k;
      }
      ref = refLib < library.size() ? library.shapes[refLib] : null;
    } else {
      refRank = rank(c, refRank, table.size);
      if (refRank >= table.size) {
        throw new CodecFormatException(-1, "a new shape's reference is no shape");
      }
      ref = table.order[refRank];
    }
    byte[] t = ref == null ? NONE : ref.bytes;
    c.mark(BitCoding.M_NEW_SHAPE);
    diff.code(c, DiffCoder.SHAPE, b, 0, len, t, t.length, SectionPlan.MAX_LINE);
    if (diff.out.n == 0) {
      throw new CodecFormatException(-1, "an empty shape");
    }
    Shape sh = new Shape(diff.out.a, diff.out.n);
    sh.lib = ref == null ? -1 : fromLib != 0 ? refLib : ref.lib;
    if (ref != null) {
      inherit(sh, ref, fromLib != 0);
    }
    remember(sh);
    table.add(sh);
    return sh;
  }

  private static final byte[] NONE = new byte[0];

  private byte[] scratch = new byte[256];

  /** Templates and slot statistics of the new shape's slots from the reference's aligned slots. */
  private void inherit(Shape sh, Shape ref, boolean fromLibrary) {
    ByteBuf vals = new ByteBuf(64);
    for (int j = 0; j < sh.slots; j++) {
      int a = j < diff.alignedCount ? diff.aligned[j] : -1;
      if (a >= 0 && a < ref.slots && ref.known[a]) {
        int s = ref.valueStart(a);
        vals.put(ref.vals, s, ref.vEnd[a] - s);
        sh.vType[j] = ref.vType[a];
        sh.known[j] = true;
        sh.cls[j] = ref.cls[a];
        sh.same[j] = ref.same[a];
        sh.delta[j] = ref.delta[a];
        sh.inherited[j] = fromLibrary || ref.inherited[a];
        sh.tokens[j] = ref.tokens[a];
        sh.stable[j] = fromLibrary ? ref.stable[a] : ref.stable[a] && ref.inherited[a];
      }
      sh.vEnd[j] = vals.n;
    }
    sh.vals = vals.toArray();
  }

  /**
   * Slots of a new shape without a template, or with one from the library that varies from stream
   * to stream, take the stream's last value under the same key.
   */
  private void remember(Shape sh) {
    boolean any = false;
    for (int j = 0; j < sh.slots; j++) {
      if (!sh.known[j] || (sh.inherited[j] && !sh.stable[j])) {
        if (memory.get(sh.keys[j]) != null) {
          any = true;
          break;
        }
      }
    }
    if (!any) {
      return;
    }
    ByteBuf vals = new ByteBuf(64);
    int[] ends = sh.vEnd.clone();
    for (int j = 0; j < sh.slots; j++) {
      byte[] m = null;
      if (!sh.known[j] || (sh.inherited[j] && !sh.stable[j])) {
        m = memory.get(sh.keys[j]);
      }
      if (m != null) {
        vals.put(m, 0, m.length);
        sh.vType[j] = (byte) memory.type(sh.keys[j]);
        sh.known[j] = true;
        sh.inherited[j] = false;
      } else {
        int s = j == 0 ? 0 : ends[j - 1];
        vals.put(sh.vals, s, ends[j] - s);
      }
      sh.vEnd[j] = vals.n;
    }
    sh.vals = vals.toArray();
  }

  /**
   * Bytes equal at both ends, counted once each, less the difference in length (a shape that is a
   * part of a longer one is not as close as an equal one).
   */
  static int common(byte[] s, int len, byte[] t) {
    int n = Math.min(len, t.length);
    int a = java.util.Arrays.mismatch(s, 0, n, t, 0, n);
    if (a < 0) {
      a = n;
    }
    int z = 0;
    while (z < n - a && s[len - 1 - z] == t[t.length - 1 - z]) {
      z++;
    }
    return a + z - Math.abs(len - t.length);
  }
}
