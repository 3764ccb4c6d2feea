package dev.sluice.codec;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The compressed-stream file of {@code sluice codec compress|decompress}, version 2 ({@code
 * docs/formats/codec-file-v2.md}). All integers big-endian; CRCs are CRC32C.
 *
 * <pre>
 * header   "SLCZ" | u8 version (2) | 32-byte model id | u32 CRC32C of the 37 bytes before it
 * segment  u32 n (1 ..= MAX_SEGMENT) | n bytes of codec segment | u32 CRC32C of what it decodes to
 *          followed by the n segment bytes
 * ...
 * end      u32 0 | u64 input length | u32 CRC32C of the whole input
 * </pre>
 *
 * <p>Nothing may follow the end record. Both directions stream: memory is bounded by one segment
 * ({@link StreamEncoder#MAX_SEGMENT_INPUT} input bytes), whatever the length of the input. The
 * reader writes a segment's bytes only after they decoded and matched their CRC; input it rejects
 * throws {@link Rejected} naming the byte offset in the compressed stream, and whatever it wrote
 * before is then a verified but incomplete prefix of the original.
 */
public final class CodecFile {

  /** "SLCZ". */
  public static final int MAGIC = 0x534C435A;

  public static final int VERSION = 2;

  /** Bytes of the header: magic, version, model id, CRC. */
  public static final int HEADER = 4 + 1 + 32 + 4;

  /** Largest segment length a reader accepts: the largest a full segment can become. */
  public static final int MAX_SEGMENT =
      StreamEncoder.maxSegmentSize(StreamEncoder.MAX_SEGMENT_INPUT);

  /** Input the file cannot be decompressed from: corrupt, truncated, or another model's. */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(long offset, String what) {
      super("byte " + offset + ": " + what, null, false, false);
    }
  }

  private CodecFile() {}

  /** Compresses all of {@code in} to {@code out}; returns the input length. */
  public static long compress(CodecModel model, InputStream in, OutputStream out)
      throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    d.write(header(model));
    StreamEncoder enc = new StreamEncoder(model);
    CRC32C all = new CRC32C();
    CRC32C segment = new CRC32C();
    byte[] buf = new byte[64 << 10];
    long total = 0;
    for (int r; (r = in.read(buf)) >= 0; ) {
      all.update(buf, 0, r);
      total += r;
      for (int off = 0; off < r; ) {
        int n = enc.write(buf, off, r - off);
        segment.update(buf, off, n);
        off += n;
        if (enc.pendingBytes() >= StreamEncoder.MAX_SEGMENT_INPUT) {
          writeSegment(d, enc.flush(), segment);
        }
      }
    }
    writeSegment(d, enc.flush(), segment);
    d.writeInt(0);
    d.writeLong(total);
    d.writeInt((int) all.getValue());
    d.flush();
    return total;
  }

  private static void writeSegment(DataOutputStream d, byte[] seg, CRC32C crc) throws IOException {
    if (seg.length == 0) {
      return;
    }
    d.writeInt(seg.length);
    d.write(seg);
    crc.update(seg);
    d.writeInt((int) crc.getValue());
    crc.reset();
    d.flush(); // a reader at the other end of a pipe gets each segment as soon as it is made
  }

  private static byte[] header(CodecModel model) {
    ByteBuffer h = ByteBuffer.allocate(HEADER);
    h.putInt(MAGIC).put((byte) VERSION).put(model.id());
    CRC32C crc = new CRC32C();
    crc.update(h.array(), 0, HEADER - 4);
    h.putInt((int) crc.getValue());
    return h.array();
  }

  /**
   * Restores the input from a compressed stream, checking everything on the way; returns its
   * length.
   */
  public static long decompress(CodecModel model, InputStream in, OutputStream out)
      throws IOException, Rejected {
    Reader r = new Reader(in);
    byte[] h = r.bytes(HEADER, "the header");
    ByteBuffer hb = ByteBuffer.wrap(h);
    if (hb.getInt() != MAGIC) {
      throw new Rejected(0, "not a sluice codec file (no SLCZ magic)");
    }
    int version = hb.get() & 0xff;
    CRC32C crc = new CRC32C();
    crc.update(h, 0, HEADER - 4);
    if (hb.getInt(HEADER - 4) != (int) crc.getValue()) {
      throw new Rejected(HEADER - 4, "header CRC mismatch (the header is corrupt)");
    }
    if (version != VERSION) {
      throw new Rejected(4, "version " + version + ", this sluice reads version " + VERSION);
    }
    byte[] id = Arrays.copyOfRange(h, 5, 5 + 32);
    if (!Arrays.equals(id, model.id())) {
      throw new Rejected(
          5,
          "compressed with model "
              + HexFormat.of().formatHex(id, 0, 8)
              + "…, not with "
              + model.label()
              + "; decompress with the same model file");
    }
    StreamDecoder dec = new StreamDecoder(model);
    CRC32C all = new CRC32C();
    CRC32C seg = new CRC32C();
    long total = 0;
    while (true) {
      long at = r.offset;
      int n = r.int32("a segment length");
      if (n == 0) {
        break;
      }
      if (n < 0 || n > MAX_SEGMENT) {
        throw new Rejected(at, "segment length " + Integer.toUnsignedString(n) + " out of range");
      }
      byte[] segment = r.bytes(n, "a segment of " + n + " bytes");
      int expected = r.int32("a segment CRC");
      byte[] plain;
      try {
        plain = dec.decode(segment, 0, n);
      } catch (CodecFormatException e) {
        throw new Rejected(at + 4 + e.offset(), "segment does not decode: " + e.getMessage());
      }
      seg.reset();
      seg.update(plain);
      seg.update(segment);
      if ((int) seg.getValue() != expected) {
        throw new Rejected(at + 4 + n, "segment CRC mismatch (the segment is corrupt)");
      }
      out.write(plain);
      all.update(plain);
      total += plain.length;
    }
    long endAt = r.offset - 4;
    long length = r.int64("the input length");
    int expected = r.int32("the input CRC");
    if (length != total) {
      throw new Rejected(
          endAt + 4, "the end says " + length + " bytes, the segments hold " + total);
    }
    if ((int) all.getValue() != expected) {
      throw new Rejected(endAt + 12, "CRC of the whole input does not match");
    }
    if (in.read() >= 0) {
      throw new Rejected(r.offset, "bytes after the end record");
    }
    out.flush();
    return total;
  }

  /** Reads exact counts, keeping the offset, and names what was cut short. */
  private static final class Reader {
    private final InputStream in;
    long offset;

    Reader(InputStream in) {
      this.in = in;
    }

    byte[] bytes(int n, String what) throws IOException, Rejected {
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new Rejected(offset + b.length, "truncated in " + what);
      }
      offset += n;
      return b;
    }

    int int32(String what) throws IOException, Rejected {
      return ByteBuffer.wrap(bytes(4, what)).getInt();
    }

    long int64(String what) throws IOException, Rejected {
      return ByteBuffer.wrap(bytes(8, what)).getLong();
    }
  }
}
