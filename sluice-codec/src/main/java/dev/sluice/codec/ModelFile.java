package dev.sluice.codec;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The codec model file, version 3. Big-endian; every section is checked when loaded, and a bad file
 * is refused with the offset and what was wrong. The model id is the SHA-256 of the whole file.
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "SLCM"
 * 4       2     version, 3 (earlier versions are refused: their streams were coded differently)
 * 6       4     length of the description, d (at most 64 KiB)
 * 10      d     description, UTF-8 (what the model was trained on)
 * ...     1     text table bucket bits b (4..22)
 * ...     4     length z of the compressed text tables
 * ...     z     zstd frame: 6 tables of 2^b' x 16 big-endian u16, b' = min(b, 16) for order 2,
 *               b for the rest; nodes in the coding form of TextTables (stretched probability
 *               and count)
 * ...     4     length a of the state, uncompressed
 * ...     4     length y of the compressed state
 * ...     y     zstd frame of the state (below)
 * ...     4     length of the zstd dictionary (0 = none), then its bytes
 * end-4   4     CRC32C of every byte before it
 *
 * state:  the text model's arrays, each u32 count then count x i32: mixer 1, mixer 2, order-1 APM,
 *         match model, boundary model;
 *         u8 1 if a stream start follows (0: untuned), then its arrays, each u32 count then
 *         count x i32: stream flags, number coder, text flags, escape forms, value flags, shape
 *         flags, difference flags, difference literals, difference mixer;
 *         the shape library: u32 shapes n (at most 4096), i32 the shape that starts most streams
 *         (-1: none); per shape: u32 length and the shape bytes, i32 the shape that followed it,
 *         i32 the shape other than a blank line that followed it (-1: none), then
 *         per slot: u8 known, u8 type, u8 class, u8 same-history, i64 last delta, u32 length and
 *         the value bytes; the first u8's bit 0 says the slot has a value, bit 1 that it was the
 *         same in every training stream, bit 2 that it carried a token stream;
 *         u8 1 if the shape literals follow (0: none), then 4 tables of 65,536 u16 nodes
 *         (ShapeLiterals: statistics of orders 1 to 4 of the training streams' shape bytes).
 * </pre>
 *
 * Array lengths are fixed by the code; a file whose lengths differ was written by another version
 * and is refused.
 */
final class ModelFile {
  private ModelFile() {}

  static final int MAGIC = 0x534C_434D;
  static final int VERSION = 3;

  private static final int MAX_LIBRARY = 4096;

  record Parts(
      String description,
      TextTables text,
      StreamStart start,
      ShapeLibrary library,
      byte[] dictionary) {}

  static byte[] write(Parts p) {
    try {
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bo);
      out.writeInt(MAGIC);
      out.writeShort(VERSION);
      byte[] desc = p.description().getBytes(StandardCharsets.UTF_8);
      out.writeInt(desc.length);
      out.write(desc);
      TextTables t = p.text();
      out.writeByte(t.bucketBits);
      int chars = 0;
      for (char[] table : t.tables) {
        chars += TextTables.bucketChars(table);
      }
      ByteBuffer raw = ByteBuffer.allocate(chars * 2);
      for (char[] table : t.tables) {
        int n = TextTables.bucketChars(table);
        raw.asCharBuffer().put(table, TextTables.PAD, n);
        raw.position(raw.position() + n * 2);
      }
      byte[] z = Zstd.compress(raw.array(), 3);
      out.writeInt(z.length);
      out.write(z);
      byte[] state = state(p);
      byte[] zs = Zstd.compress(state, 3);
      out.writeInt(state.length);
      out.writeInt(zs.length);
      out.write(zs);
      out.writeInt(p.dictionary().length);
      out.write(p.dictionary());
      out.flush();
      CRC32C crc = new CRC32C();
      crc.update(bo.toByteArray());
      out.writeInt((int) crc.getValue());
      return bo.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  private static byte[] state(Parts p) throws IOException {
    ByteArrayOutputStream ab = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(ab);
    for (int[] a : textArrays(p.text())) {
      ints(o, a);
    }
    StreamStart st = p.start();
    o.writeByte(st == null ? 0 : 1);
    if (st != null) {
      for (int[] a : startArrays(st)) {
        ints(o, a);
      }
    }
    ShapeLibrary lib = p.library();
    o.writeInt(lib.size());
    o.writeInt(lib.first);
    for (Shape sh : lib.shapes) {
      o.writeInt(sh.bytes.length);
      o.write(sh.bytes);
      o.writeInt(sh.libNext);
      o.writeInt(sh.libSigNext);
      for (int i = 0; i < sh.slots; i++) {
        o.writeByte((sh.known[i] ? 1 : 0) | (sh.stable[i] ? 2 : 0) | (sh.tokens[i] ? 4 : 0));
        o.writeByte(sh.vType[i]);
        o.writeByte(sh.cls[i]);
        o.writeByte(sh.same[i]);
        o.writeLong(sh.delta[i]);
        int s = sh.valueStart(i);
        o.writeInt(sh.vEnd[i] - s);
        o.write(sh.vals, s, sh.vEnd[i] - s);
      }
    }
    ShapeLiterals lits = lib.literals;
    o.writeByte(lits == null ? 0 : 1);
    if (lits != null) {
      for (char[] t : lits.tables) {
        for (char c : t) {
          o.writeChar(c);
        }
      }
    }
    o.flush();
    return ab.toByteArray();
  }

  private static void ints(DataOutputStream o, int[] a) throws IOException {
    o.writeInt(a.length);
    for (int v : a) {
      o.writeInt(v);
    }
  }

  private static int[][] textArrays(TextTables t) {
    return new int[][] {t.mixer1, t.mixer2, t.apm2, t.match, t.boundary};
  }

  private static int[][] startArrays(StreamStart st) {
    return new int[][] {
      st.streamFlags.t,
      st.numbers.t,
      st.textFlags.t,
      st.forms.t,
      st.valueFlags.t,
      st.shapeFlags.t,
      st.diff.flags.t,
      st.diff.bytes.t,
      st.diff.mixer
    };
  }

  static Parts read(byte[] f, String source) throws ModelFormatException {
    Reader r = new Reader(f, source);
    if (f.length < 14) {
      throw r.bad(0, "too short for a model file (" + f.length + " bytes)");
    }
    CRC32C crc = new CRC32C();
    crc.update(f, 0, f.length - 4);
    int stored = ByteBuffer.wrap(f, f.length - 4, 4).getInt();
    if (r.u32() != MAGIC) {
      throw r.bad(0, "not a Sluice codec model (magic is not SLCM)");
    }
    int version = r.u16();
    if (version != VERSION) {
      throw r.bad(4, "model file version " + version + "; this Sluice reads version " + VERSION);
    }
    if ((int) crc.getValue() != stored) {
      throw r.bad(
          f.length - 4,
          String.format(
              "CRC32C mismatch: computed %08x, file has %08x (damaged or truncated)",
              (int) crc.getValue(), stored));
    }
    int dl = r.length(64 << 10, "description");
    String desc = new String(f, r.pos, dl, StandardCharsets.UTF_8);
    r.pos += dl;
    int bitsAt = r.pos;
    int bits = r.u8();
    if (bits < 4 || bits > 22) {
      throw r.bad(bitsAt, "text table bucket bits " + bits + " out of 4..22");
    }
    int zl = r.length(f.length, "text tables");
    char[][] tables = new char[TextTables.ORDERS][];
    int totalChars = 0;
    for (int o = 0; o < TextTables.ORDERS; o++) {
      tables[o] = TextTables.allocate(bits, o);
      totalChars += TextTables.bucketChars(tables[o]);
    }
    byte[] raw = inflate(r, zl, totalChars * 2, "text tables");
    ByteBuffer rb = ByteBuffer.wrap(raw);
    for (int o = 0; o < TextTables.ORDERS; o++) {
      int n = TextTables.bucketChars(tables[o]);
      rb.asCharBuffer().get(tables[o], TextTables.PAD, n);
      rb.position(rb.position() + n * 2);
    }
    int rawAt = r.pos;
    int stateLen = r.u32();
    if (stateLen < 0 || stateLen > (1 << 28)) {
      throw r.bad(rawAt, "state length " + (stateLen & 0xFFFF_FFFFL) + " out of range");
    }
    int zs = r.length(f.length, "state");
    int stateAt = r.pos;
    byte[] state = inflate(r, zs, stateLen, "state");
    TextTables defaults = TextTables.empty();
    TextTables text =
        new TextTables(
            bits,
            tables,
            defaults.mixer1.clone(),
            defaults.mixer2.clone(),
            defaults.apm2.clone(),
            defaults.match.clone(),
            defaults.boundary.clone());
    StateReader in = new StateReader(r, state, stateAt);
    String[] names = {"mixer 1", "mixer 2", "order-1 APM", "match model", "boundary model"};
    int[][] targets = textArrays(text);
    for (int i = 0; i < targets.length; i++) {
      in.ints(targets[i], names[i]);
    }
    StreamStart start = null;
    if (in.u8("stream start flag") != 0) {
      StreamCodec fresh = new StreamCodec(CodecModel.untrained());
      start = StreamStart.of(fresh);
      String[] cn = {
        "stream flags",
        "number coder",
        "text flags",
        "escape forms",
        "value flags",
        "shape flags",
        "difference flags",
        "difference literals",
        "difference mixer"
      };
      int[][] ct = startArrays(start);
      for (int i = 0; i < ct.length; i++) {
        in.ints(ct[i], cn[i]);
      }
    }
    ShapeLibrary library = library(in);
    int dictLen = r.length(1 << 24, "zstd dictionary");
    byte[] dict = java.util.Arrays.copyOfRange(f, r.pos, r.pos + dictLen);
    r.pos += dictLen;
    if (r.pos != f.length - 4) {
      throw r.bad(r.pos, (f.length - 4 - r.pos) + " unexpected bytes before the CRC");
    }
    return new Parts(desc, text, start, library, dict);
  }

  private static ShapeLibrary library(StateReader in) throws ModelFormatException {
    int n = in.i32("library size");
    int first = in.i32("library start");
    if (n < 0 || n > MAX_LIBRARY || first < -1 || first >= n) {
      throw in.bad("library of " + n + " shapes starting at " + first);
    }
    Shape[] shapes = new Shape[n];
    for (int k = 0; k < n; k++) {
      byte[] b = in.bytes(SectionPlan.MAX_LINE, "library shape");
      Shape sh = new Shape(b, b.length);
      sh.libNext = in.i32("library next");
      sh.libSigNext = in.i32("library next event");
      if (sh.libNext < -1 || sh.libNext >= n || sh.libSigNext < -1 || sh.libSigNext >= n) {
        throw in.bad("library shape " + k + " followed by " + sh.libNext + ", " + sh.libSigNext);
      }
      sh.lib = k;
      ByteBuf vals = new ByteBuf(64);
      for (int i = 0; i < sh.slots; i++) {
        int kb = in.u8("known");
        sh.known[i] = (kb & 1) != 0;
        sh.stable[i] = (kb & 2) != 0;
        sh.tokens[i] = (kb & 4) != 0;
        sh.vType[i] = (byte) in.u8("type");
        sh.cls[i] = (byte) in.u8("class");
        sh.same[i] = (byte) in.u8("same");
        sh.delta[i] = in.i64("delta");
        if (sh.vType[i] > Lexer.TXT || sh.cls[i] > ValueCoder.REF_TEXT) {
          throw in.bad("library value type " + sh.vType[i] + " class " + sh.cls[i]);
        }
        byte[] v = in.bytes(SectionPlan.MAX_LINE, "library value");
        vals.put(v, 0, v.length);
        sh.vEnd[i] = vals.n;
      }
      sh.vals = vals.toArray();
      shapes[k] = sh;
    }
    ShapeLiterals literals = null;
    if (in.u8("shape literals flag") != 0) {
      char[][] t = new char[ShapeLiterals.ORDERS][1 << ShapeLiterals.BITS];
      for (char[] table : t) {
        in.chars(table, "shape literals");
      }
      literals = new ShapeLiterals(t);
    }
    if (!in.done()) {
      throw in.bad("unexpected bytes after the library");
    }
    return new ShapeLibrary(shapes, first, literals);
  }

  private static byte[] inflate(Reader r, int zl, int expected, String what)
      throws ModelFormatException {
    byte[] raw;
    try {
      raw = Zstd.decompress(Arrays.copyOfRange(r.f, r.pos, r.pos + zl), expected);
    } catch (RuntimeException e) {
      throw r.bad(r.pos, what + " do not decompress: " + e.getMessage());
    }
    if (raw.length != expected) {
      throw r.bad(r.pos, what + " decompress to " + raw.length + " bytes, expected " + expected);
    }
    r.pos += zl;
    return raw;
  }

  /** Reads the decompressed state; errors name the compressed section's offset. */
  private static final class StateReader {
    private final Reader r;
    private final ByteBuffer b;
    private final int at;

    StateReader(Reader r, byte[] state, int at) {
      this.r = r;
      this.b = ByteBuffer.wrap(state);
      this.at = at;
    }

    ModelFormatException bad(String what) {
      return r.bad(at, "state, byte " + b.position() + ": " + what);
    }

    private void need(int n, String what) throws ModelFormatException {
      if (b.remaining() < n) {
        throw bad("ends in " + what);
      }
    }

    int u8(String what) throws ModelFormatException {
      need(1, what);
      return b.get() & 0xFF;
    }

    int i32(String what) throws ModelFormatException {
      need(4, what);
      return b.getInt();
    }

    long i64(String what) throws ModelFormatException {
      need(8, what);
      return b.getLong();
    }

    byte[] bytes(int max, String what) throws ModelFormatException {
      int n = i32(what);
      if (n < 0 || n > max) {
        throw bad(what + " of " + n + " bytes");
      }
      need(n, what);
      byte[] v = new byte[n];
      b.get(v);
      return v;
    }

    void ints(int[] target, String what) throws ModelFormatException {
      int n = i32(what);
      if (n != target.length) {
        throw bad(what + " has " + n + " values, this Sluice expects " + target.length);
      }
      need(4 * n, what);
      b.asIntBuffer().get(target);
      b.position(b.position() + 4 * n);
    }

    void chars(char[] target, String what) throws ModelFormatException {
      need(2 * target.length, what);
      b.asCharBuffer().get(target);
      b.position(b.position() + 2 * target.length);
    }

    boolean done() {
      return !b.hasRemaining();
    }
  }

  /** A model file that cannot be used; the message names the file and the offset. */
  static final class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    ModelFormatException(String message) {
      super(message);
    }
  }

  private static final class Reader {
    final byte[] f;
    final String source;
    int pos;

    Reader(byte[] f, String source) {
      this.f = f;
      this.source = source;
    }

    ModelFormatException bad(long at, String what) {
      return new ModelFormatException("codec model " + source + ", byte " + at + ": " + what);
    }

    private void need(int n) throws ModelFormatException {
      if (pos + n > f.length - 4) {
        throw bad(pos, "truncated: " + n + " more bytes expected");
      }
    }

    int u8() throws ModelFormatException {
      need(1);
      return f[pos++] & 0xFF;
    }

    int u16() throws ModelFormatException {
      need(2);
      int v = (f[pos] & 0xFF) << 8 | (f[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }

    int u32() throws ModelFormatException {
      need(4);
      int v = ByteBuffer.wrap(f, pos, 4).getInt();
      pos += 4;
      return v;
    }

    int length(int max, String what) throws ModelFormatException {
      int at = pos;
      int n = u32();
      if (n < 0 || n > max) {
        throw bad(at, what + " length " + (n & 0xFFFF_FFFFL) + " out of 0.." + max);
      }
      need(n);
      return n;
    }
  }
}
