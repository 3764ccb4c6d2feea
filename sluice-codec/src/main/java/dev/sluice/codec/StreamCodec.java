package dev.sluice.codec;

import com.github.luben.zstd.Zstd;

/**
 * Everything one stream (the egress of one client connection) has learnt, and the coding of its
 * sections: a section is the units of the stream's input that go into one frame, each preceded by a
 * flag that says another unit follows. A unit is a line ({@link ShapeCoder} for its shape, {@link
 * ValueCoder} for its values), a binary run (zstd with the model's dictionary, or stored, in the
 * frame's byte area), or a group of chunks of a chunked HTTP body (its data units, then a flag
 * after each that says whether the group ends; then, while a flag says another follows, the data
 * length of each chunk of the group but the last; the size lines and CRLFs are derived).
 *
 * <p>The same class encodes (from a {@link SectionPlan}) and decodes; both ends run the same models
 * on the same bytes, so they stay in step. Not thread-safe.
 */
final class StreamCodec {
  private static final int MORE = 0;
  private static final int CHUNK = 28;
  private static final int CUT = 29; // a chunk group's first cut (see SectionPlan), then CUT_MORE
  private static final int CHUNK_END = 30;
  private static final int CUT_MORE = 33;
  private static final int BINARY = 34;
  private static final int ZSTD = 38;
  static final int FLAGS = 40;

  /** Most units in one section (a decoder's bound). */
  static final int MAX_UNITS = 1 << 20;

  /** Most bytes one section decodes to (the encoder's sections are at most 512 KiB). */
  static final int MAX_SECTION_OUTPUT = 1 << 20;

  private static final int LINE_KIND = 0;
  private static final int BLANK_KIND = 1;
  private static final int BINARY_KIND = 2;

  final Probs flags = new Probs(FLAGS);
  final DiffCoder diff;
  final NumberCoder numbers = new NumberCoder();
  final TextModel textModel;
  final TextCoder text;
  final ValueCoder values;
  final ShapeCoder shapes;
  final HttpFraming framing = new HttpFraming();
  private final CodecModel model;
  private int lastKind;

  // Encoder: the look-ahead target of a pending character.
  private int targetUnit = -1;
  private int targetSlot = -1;
  private final ByteBuf scratchText = new ByteBuf(64);
  private final ByteBuf scratchForms = new ByteBuf(64);

  // Value ranges of the unit being coded.
  private int[] vs = new int[64];
  private int[] ve = new int[64];
  private int[] vt = new int[64];
  private final ByteBuf vbuf = new ByteBuf(256);
  private final ByteBuf unit = new ByteBuf(256);

  StreamCodec(CodecModel model) {
    this.model = model;
    StreamStart start = model.start();
    this.diff = new DiffCoder(model.library().literals);
    this.textModel = new TextModel(model.text());
    this.text = new TextCoder(textModel);
    this.values = new ValueCoder(numbers, diff, text);
    this.shapes = new ShapeCoder(diff, model.library());
    if (start != null) {
      start.applyTo(this);
    }
  }

  // ---- encoding ----

  /**
   * Codes the units of {@code plan} (planned from {@code in}); binary units' bytes go to {@code
   * area}.
   */
  void encode(BitCoding c, SectionPlan plan, ByteBuf area) throws CodecFormatException {
    byte[] in = plan.src.a;
    startSection();
    int u = 0;
    while (u < plan.units) {
      c.mark(BitCoding.M_UNIT);
      flags.code(c, MORE + moreContext(), 1);
      if (plan.chunkFlag[u]) {
        int isChunk = plan.kind[u] == SectionPlan.CHUNK ? 1 : 0;
        flags.code(c, CHUNK, isChunk);
        if (isChunk != 0) {
          int group = u;
          u++;
          while (true) {
            encodeUnit(c, in, plan, u, area, true);
            boolean last = plan.lastInChunk[u];
            c.mark(BitCoding.M_UNIT);
            flags.code(c, CHUNK_END + lastKind, last ? 1 : 0);
            u++;
            if (last) {
              break;
            }
          }
          for (int k = 0; k < plan.cutCount[group]; k++) {
            flags.code(c, k == 0 ? CUT : CUT_MORE, 1);
            numbers.code(c, 13, plan.cuts[plan.cutFirst[group] + k]);
          }
          flags.code(c, plan.cutCount[group] == 0 ? CUT : CUT_MORE, 0);
          continue;
        }
      }
      encodeUnit(c, in, plan, u, area, false);
      u++;
    }
    c.mark(BitCoding.M_UNIT);
    flags.code(c, MORE + moreContext(), 0);
    if (text.takePendingLeft()) {
      throw new IllegalStateException("the encoder left a character pending");
    }
    trim();
  }

  private void encodeUnit(
      BitCoding c, byte[] in, SectionPlan p, int u, ByteBuf area, boolean chunkData)
      throws CodecFormatException {
    boolean binary = p.kind[u] == SectionPlan.BINARY;
    c.mark(BitCoding.M_UNIT);
    sectionUnits++;
    flags.code(c, BINARY + (lastKind == BINARY_KIND ? 1 : 0) + (chunkData ? 2 : 0), binary ? 1 : 0);
    if (binary) {
      encodeBinary(c, in, p.start[u], p.end[u], area);
      lastKind = BINARY_KIND;
      return;
    }
    Shape sh = shapes.code(c, p.shapes.a, p.shapeStart[u], p.shapeLen[u]);
    int first = p.firstValue[u];
    ensure(sh.slots);
    for (int i = 0; i < sh.slots; i++) {
      int v = first + i;
      boolean forced = u == targetUnit && i == targetSlot;
      if (forced) {
        targetUnit = -1;
        targetSlot = -1;
      }
      la.at(in, p, u, i);
      values.code(c, sh, i, sh.kinds[i], in, p.vStart[v], p.vEnd[v], p.vType[v], forced, la);
      vs[i] = p.vStart[v];
      ve[i] = p.vEnd[v];
      vt[i] = p.vType[v];
    }
    sh.store(in, vs, ve, vt);
    remember(sh);
    lastKind = blank(in, p.start[u], p.end[u]) ? BLANK_KIND : LINE_KIND;
  }

  private final Ahead la = new Ahead();

  /** The look-ahead from the value being coded. */
  private final class Ahead extends TextLookahead {
    private byte[] in;
    private SectionPlan p;
    private int u;
    private int i;

    void at(byte[] in, SectionPlan p, int u, int i) {
      this.in = in;
      this.p = p;
      this.u = u;
      this.i = i;
    }

    @Override
    int next() {
      return lookahead(in, p, u, i, chars);
    }
  }

  /** How many units ahead the look-ahead searches for the next value of a text slot. */
  private static final int LOOKAHEAD_UNITS = 16;

  /**
   * Finds the next value of the same slot of the same shape as value {@code i} of unit {@code u} (a
   * token stream's next token), within {@link #LOOKAHEAD_UNITS} units of the section, if it is a
   * non-empty string that can be text; makes it the target of the pending character, and puts its
   * first character in {@code into}: returns its length, or 0 (none).
   */
  private int lookahead(byte[] in, SectionPlan p, int u, int i, byte[] into) {
    if (targetUnit >= 0) {
      throw new IllegalStateException("a look-ahead while a character is pending");
    }
    int start = p.shapeStart[u];
    int len = p.shapeLen[u];
    byte[] sb = p.shapes.a;
    for (int w = u + 1; w < p.units && w <= u + LOOKAHEAD_UNITS; w++) {
      if (p.kind[w] != SectionPlan.LINE
          || p.shapeLen[w] != len
          || p.valueCount[w] <= i
          || !java.util.Arrays.equals(
              sb, p.shapeStart[w], p.shapeStart[w] + len, sb, start, start + len)) {
        continue;
      }
      int v = p.firstValue[w] + i;
      int t = p.vType[v];
      int cur = p.firstValue[u] + i;
      if ((t != Lexer.STR && t != Lexer.TXT)
          || java.util.Arrays.equals(in, p.vStart[v], p.vEnd[v], in, p.vStart[cur], p.vEnd[cur])) {
        return 0; // not text, or the same again (coded as a repeat)
      }
      int n = firstChar(in, p.vStart[v], p.vEnd[v], t == Lexer.STR, into);
      if (n > 0) {
        targetUnit = w;
        targetSlot = i;
      }
      return n;
    }
    return 0;
  }

  /** The first character of a value that can be text, into {@code into}; 0 if it cannot. */
  private int firstChar(byte[] in, int s, int e, boolean json, byte[] into) {
    scratchText.n = 0;
    scratchForms.n = 0;
    if (json) {
      if (e - s <= 2 || !JsonEscapes.parse(in, s + 1, e - 1, scratchText, scratchForms)) {
        return 0;
      }
    } else {
      if (e <= s || !Utf8.valid(in, s, e)) {
        return 0;
      }
      scratchText.put(in, s, Math.min(4, e - s));
    }
    int n = Utf8.lengthOfLead(scratchText.a[0] & 0xFF);
    System.arraycopy(scratchText.a, 0, into, 0, n);
    return n;
  }

  private void encodeBinary(BitCoding c, byte[] in, int s, int e, ByteBuf area)
      throws CodecFormatException {
    int n = e - s;
    numbers.code(c, 13, n);
    byte[] z = null;
    try {
      byte[] src = java.util.Arrays.copyOfRange(in, s, e);
      z =
          model.dictCompress() != null
              ? Zstd.compress(src, model.dictCompress())
              : Zstd.compress(src, CodecModel.GENERIC_LEVEL);
    } catch (RuntimeException ex) {
      z = null; // stored: compression is an optimisation, never a reason to fail
    }
    boolean useZ = z != null && z.length + 2 < n;
    flags.code(c, ZSTD, useZ ? 1 : 0);
    if (useZ) {
      numbers.code(c, 13, z.length);
      area.put(z, 0, z.length);
    } else {
      area.put(in, s, n);
    }
  }

  // ---- decoding ----

  /** Decodes one section into {@code out}, taking binary units' bytes from {@code area}. */
  void decode(BitCoding c, Area area, ByteBuf out) throws CodecFormatException {
    startSection();
    int limit = out.n + MAX_SECTION_OUTPUT;
    int units = 0;
    ByteBuf chunk = null;
    while (flags.code(c, MORE + moreContext(), 0) != 0) {
      if (++units > MAX_UNITS || out.n > limit) {
        throw new CodecFormatException(-1, "a section of more than " + MAX_UNITS + " units");
      }
      if (framing.expectSize() && flags.code(c, CHUNK, 0) != 0) {
        if (chunk == null) {
          chunk = new ByteBuf(256);
        }
        chunk.n = 0;
        while (true) {
          decodeUnit(c, area, chunk, true);
          if (chunk.n > SectionPlan.MAX_BINARY) {
            throw new CodecFormatException(-1, "a chunk longer than " + SectionPlan.MAX_BINARY);
          }
          if (flags.code(c, CHUNK_END + lastKind, 0) != 0) {
            break;
          }
        }
        int at = 0;
        while (flags.code(c, at == 0 ? CUT : CUT_MORE, 0) != 0) {
          long n = numbers.code(c, 13, 0);
          if (n < 1 || n >= chunk.n - at) {
            throw new CodecFormatException(
                -1, "a chunk of " + n + " bytes in a group with " + (chunk.n - at) + " left");
          }
          chunkOut(out, chunk.a, at, (int) n);
          at += (int) n;
        }
        chunkOut(out, chunk.a, at, chunk.n - at);
        framing.chunkDone();
        continue;
      }
      decodeUnit(c, area, out, false);
    }
    if (text.takePendingLeft()) {
      throw new CodecFormatException(-1, "a section ends inside a text value");
    }
    trim();
  }

  private static void chunkOut(ByteBuf out, byte[] data, int off, int n) {
    HttpFraming.sizeLine(out, n);
    out.put(data, off, n);
    out.put('\r');
    out.put('\n');
  }

  private void decodeUnit(BitCoding c, Area area, ByteBuf out, boolean chunkData)
      throws CodecFormatException {
    sectionUnits++;
    int b = flags.code(c, BINARY + (lastKind == BINARY_KIND ? 1 : 0) + (chunkData ? 2 : 0), 0);
    if (b != 0) {
      int at = out.n;
      decodeBinary(c, area, out);
      if (!chunkData) {
        framing.binary();
      }
      lastKind = BINARY_KIND;
      if (out.n == at) {
        throw new CodecFormatException(-1, "an empty binary unit");
      }
      return;
    }
    Shape sh = shapes.code(c, null, 0, 0);
    ensure(sh.slots);
    vbuf.n = 0;
    for (int i = 0; i < sh.slots; i++) {
      values.code(c, sh, i, sh.kinds[i], null, 0, 0, 0, false, null);
      vs[i] = vbuf.n;
      vbuf.put(values.out.a, 0, values.out.n);
      ve[i] = vbuf.n;
      vt[i] = values.outType;
    }
    unit.n = 0;
    Lexer.rebuild(unit, sh.bytes, sh.bytes.length, vbuf.a, vs, ve);
    sh.store(vbuf.a, vs, ve, vt);
    remember(sh);
    if (unit.n == 0) {
      throw new CodecFormatException(-1, "an empty unit");
    }
    out.put(unit.a, 0, unit.n);
    if (!chunkData) {
      framing.line(unit.a, 0, unit.n);
    }
    lastKind = blank(unit.a, 0, unit.n) ? BLANK_KIND : LINE_KIND;
  }

  private void decodeBinary(BitCoding c, Area area, ByteBuf out) throws CodecFormatException {
    long n = numbers.code(c, 13, 0);
    if (n < 1 || n > SectionPlan.MAX_BINARY) {
      throw new CodecFormatException(-1, "a binary unit of " + n + " bytes");
    }
    if (flags.code(c, ZSTD, 0) != 0) {
      long zl = numbers.code(c, 13, 0);
      if (zl < 1 || zl > area.left()) {
        throw new CodecFormatException(-1, "a zstd unit of " + zl + " bytes does not fit");
      }
      byte[] z = area.take((int) zl);
      byte[] d;
      try {
        d =
            model.dictDecompress() != null
                ? Zstd.decompress(z, model.dictDecompress(), (int) n)
                : Zstd.decompress(z, (int) n);
      } catch (RuntimeException e) {
        throw new CodecFormatException(-1, "a zstd unit does not decompress: " + e.getMessage());
      }
      if (d.length != n) {
        throw new CodecFormatException(-1, "a zstd unit of " + d.length + " bytes, not " + n);
      }
      out.put(d, 0, d.length);
    } else {
      if (n > area.left()) {
        throw new CodecFormatException(-1, "a stored unit of " + n + " bytes does not fit");
      }
      out.put(area.take((int) n), 0, (int) n);
    }
  }

  /** Units in the current section, and so the class of the next (few units: a live stream). */
  private int sectionUnits = -1;

  /**
   * A section starts: its flags are read in the light of the last section's size (0 the first
   * section, 1 a small one: a live stream's frame, 2 a large one: a stream coded at once).
   */
  private void startSection() {
    text.sectionClass = sectionUnits < 0 ? 0 : sectionUnits <= 16 ? 1 : 2;
    text.lastEnd = 0;
    text.valuesInSection = 0;
    sectionUnits = 0;
  }

  /** Scratch kept between sections is small: an idle stream holds its models, not its buffers. */
  private void trim() {
    vbuf.trim(TRIM);
    unit.trim(TRIM);
    scratchText.trim(TRIM);
    scratchForms.trim(TRIM);
    values.trimBuffers(TRIM);
    diff.out.trim(TRIM);
    diff.trim();
    // The look-ahead must not keep the section's input (the stream's buffer) reachable.
    la.at(null, null, -1, -1);
  }

  private static final int TRIM = 4 << 10;

  /** Every value of the unit just coded becomes the stream's last value under its key. */
  private void remember(Shape sh) {
    for (int i = 0; i < sh.slots; i++) {
      // A repeated value is remembered already (or was replaced); one too long to keep is not.
      if ((sh.same[i] & 1) == 0 && sh.known[i]) {
        shapes.memory.put(sh.keys[i], sh.vals, sh.valueStart(i), sh.vEnd[i], sh.vType[i]);
      }
    }
  }

  /**
   * The context of the flag that says another unit follows: the last unit's kind, and how the last
   * text value ended (a value that ended without coding the next value's first character was the
   * last text value of its section).
   */
  private int moreContext() {
    return (text.sectionClass * 3 + lastKind) * 3 + text.lastEnd;
  }

  private void ensure(int slots) {
    if (vs.length < slots) {
      int n = Math.max(slots, vs.length * 2);
      vs = new int[n];
      ve = new int[n];
      vt = new int[n];
    }
  }

  private static boolean blank(byte[] b, int s, int e) {
    for (int i = s; i < e; i++) {
      if (b[i] != '\r' && b[i] != '\n') {
        return false;
      }
    }
    return true;
  }

  /** The byte area of a frame being decoded: binary units' bytes, in order. */
  static final class Area {
    private final byte[] b;
    private int pos;
    private final int end;

    Area(byte[] b, int off, int end) {
      this.b = b;
      this.pos = off;
      this.end = end;
    }

    int left() {
      return end - pos;
    }

    byte[] take(int n) {
      byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    boolean done() {
      return pos == end;
    }
  }
}
