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
 * The codec model file, version 2. Big-endian; every section is checked when loaded, and a bad file
 * is refused with the offset and what was wrong. The model id is the SHA-256 of the whole file.
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "SLCM"
 * 4       2     version, 2 (version 1, whose nodes held probabilities, is refused)
 * 6       4     length of the description, d (≤ 64 KiB)
 * 10      d     description, UTF-8 (what the model was trained on)
 * ...     1     text table bucket bits b (4..22)
 * ...     4     length z of the compressed text tables
 * ...     z     zstd frame: 6 tables of 2^b' x 16 big-endian u16, b' = min(b, 16) for order 2,
 *               b for the rest; nodes in the coding form of TextTables (stretched probability
 *               and count)
 * ...     4     length a of the model arrays, uncompressed
 * ...     4     length y of the compressed arrays
 * ...     y     zstd frame of the arrays, each u32 count then count x i32: mixer 1, mixer 2,
 *               order-1 APM, match model, boundary model, envelope flags, envelope bytes,
 *               envelope mixer, codec flags
 * ...     6 x (u32 length, bytes): the envelope templates (last of each class, first of each
 *               class in the last stream)
 * ...     3 x u8: envelope same-history state
 * ...     u32 length, bytes: the zstd dictionary (0 = none)
 * end-4   4     CRC32C of every byte before it
 * </pre>
 *
 * Array lengths are fixed by the code; a file whose lengths differ was written by another version
 * and is refused.
 */
final class ModelFile {
  private ModelFile() {}

  static final int MAGIC = 0x534C_434D;
  static final int VERSION = 2;

  record Parts(
      String description,
      TextTables text,
      EnvelopeModel envelope,
      int[] flags,
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
      EnvelopeModel e = p.envelope();
      ByteArrayOutputStream ab = new ByteArrayOutputStream();
      DataOutputStream arrays = new DataOutputStream(ab);
      for (int[] a : arrays(t, e, p.flags())) {
        arrays.writeInt(a.length);
        for (int v : a) {
          arrays.writeInt(v);
        }
      }
      arrays.flush();
      byte[] za = Zstd.compress(ab.toByteArray(), 3);
      out.writeInt(ab.size());
      out.writeInt(za.length);
      out.write(za);
      for (int k = 0; k < 2 * EnvelopeModel.CLASSES; k++) {
        out.writeInt(e.templateLen[k]);
        out.write(e.templates[k], 0, e.templateLen[k]);
      }
      for (int k = 0; k < EnvelopeModel.CLASSES; k++) {
        out.writeByte(e.sameHistoryOf(k));
      }
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

  private static int[][] arrays(TextTables t, EnvelopeModel e, int[] flags) {
    return new int[][] {
      t.mixer1,
      t.mixer2,
      t.apm2,
      t.match,
      t.boundary,
      e.flags.table(),
      e.bytes.table(),
      e.mixer.w,
      flags
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
    byte[] raw;
    try {
      raw = Zstd.decompress(Arrays.copyOfRange(f, r.pos, r.pos + zl), totalChars * 2);
    } catch (RuntimeException e) {
      throw r.bad(r.pos, "text tables do not decompress: " + e.getMessage());
    }
    if (raw.length != totalChars * 2) {
      throw r.bad(
          r.pos, "text tables decompress to " + raw.length + " bytes, expected " + totalChars * 2);
    }
    r.pos += zl;
    ByteBuffer rb = ByteBuffer.wrap(raw);
    for (int o = 0; o < TextTables.ORDERS; o++) {
      int n = TextTables.bucketChars(tables[o]);
      rb.asCharBuffer().get(tables[o], TextTables.PAD, n);
      rb.position(rb.position() + n * 2);
    }
    TextTables defaults = TextTables.empty();
    EnvelopeModel e = new EnvelopeModel();
    int[] flagsDefault = new int[64];
    int rawAt = r.pos;
    int rawArrays = r.u32();
    if (rawArrays < 0 || rawArrays > (1 << 28)) {
      throw r.bad(rawAt, "model arrays length " + (rawArrays & 0xFFFF_FFFFL) + " out of range");
    }
    int za = r.length(f.length, "model arrays");
    byte[] ab;
    try {
      ab = Zstd.decompress(Arrays.copyOfRange(f, r.pos, r.pos + za), rawArrays);
    } catch (RuntimeException ex) {
      throw r.bad(r.pos, "model arrays do not decompress: " + ex.getMessage());
    }
    if (ab.length != rawArrays) {
      throw r.bad(
          r.pos, "model arrays decompress to " + ab.length + " bytes, expected " + rawArrays);
    }
    int arraysAt = r.pos;
    r.pos += za;
    TextTables loaded =
        new TextTables(
            bits,
            tables,
            defaults.mixer1.clone(),
            defaults.mixer2.clone(),
            defaults.apm2.clone(),
            defaults.match.clone(),
            defaults.boundary.clone());
    int[][] targets = arrays(loaded, e, flagsDefault);
    String[] names = {
      "mixer 1",
      "mixer 2",
      "order-1 APM",
      "match model",
      "boundary model",
      "envelope flags",
      "envelope bytes",
      "envelope mixer",
      "codec flags"
    };
    ByteBuffer in = ByteBuffer.wrap(ab);
    for (int i = 0; i < targets.length; i++) {
      if (in.remaining() < 4) {
        throw r.bad(arraysAt, "model arrays end before the " + names[i]);
      }
      int n = in.getInt();
      if (n != targets[i].length || in.remaining() < 4L * n) {
        throw r.bad(
            arraysAt, names[i] + " has " + n + " values, this Sluice expects " + targets[i].length);
      }
      in.asIntBuffer().get(targets[i]);
      in.position(in.position() + 4 * n);
    }
    if (in.hasRemaining()) {
      throw r.bad(arraysAt, in.remaining() + " unexpected bytes after the model arrays");
    }
    for (int k = 0; k < 2 * EnvelopeModel.CLASSES; k++) {
      int n = r.length(EnvelopeModel.MAX_TEMPLATE, "envelope template");
      e.templates[k] = java.util.Arrays.copyOfRange(f, r.pos, r.pos + Math.max(n, 1));
      e.templateLen[k] = n;
      r.pos += n;
    }
    for (int k = 0; k < EnvelopeModel.CLASSES; k++) {
      e.setSameHistory(k, r.u8() & 3);
    }
    int dictLen = r.length(1 << 24, "zstd dictionary");
    byte[] dict = java.util.Arrays.copyOfRange(f, r.pos, r.pos + dictLen);
    r.pos += dictLen;
    if (r.pos != f.length - 4) {
      throw r.bad(r.pos, (f.length - 4 - r.pos) + " unexpected bytes before the CRC");
    }
    return new Parts(desc, loaded, e, flagsDefault, dict);
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
