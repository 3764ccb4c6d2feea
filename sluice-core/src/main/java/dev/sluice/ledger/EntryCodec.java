package dev.sluice.ledger;

import java.util.List;

/**
 * The canonical binary encoding of a {@link LedgerEntry}: the bytes stored in {@code entries.log}
 * and hashed into the Merkle tree. The same entry always encodes to the same bytes, and {@link
 * #decode} accepts only bytes that {@link #encode} would have produced, so a leaf hash identifies
 * exactly one entry.
 *
 * <p>All integers are big-endian. Payload layout (codec version 1):
 *
 * <pre>
 * size   field
 * 1      codec version (1)
 * 1      entry type code ({@link EntryType#code()})
 * 8      time, epoch milliseconds (signed)
 * 2      field count (unsigned)
 * then, per field, in entry order:
 * 1      key length k (1..64)
 * k      key, ASCII [a-z0-9_]
 * 1      kind: 1 = i64, 2 = string, 3 = list of i64, 4 = list of strings
 * ...    value:
 *          kind 1: 8 bytes signed
 *          kind 2: u32 byte length n, n bytes UTF-8
 *          kind 3: u16 count c (1..65535), c x 8 bytes signed
 *          kind 4: u16 count c (0..65535), c x (u32 byte length n, n bytes UTF-8)
 * </pre>
 *
 * <p>An empty list is always kind 4 (its element type is unknowable), so kind 3 with count 0 is
 * rejected as non-canonical. Strings must be well-formed UTF-16 (no unpaired surrogates) to encode,
 * and well-formed UTF-8 to decode.
 *
 * <p>Thread-safe: stateless.
 */
public final class EntryCodec {

  /** The codec version written in the first payload byte. */
  public static final int VERSION = 1;

  /** The smallest possible payload: version, type, time and a zero field count. */
  public static final int MIN_PAYLOAD = 12;

  static final int KIND_LONG = 1;
  static final int KIND_STRING = 2;
  static final int KIND_LONGS = 3;
  static final int KIND_STRINGS = 4;

  private static final int MAX_COUNT = 0xFFFF;

  private EntryCodec() {}

  /**
   * Encodes {@code entry}. Allocates exactly one array of the encoded size.
   *
   * @throws IllegalArgumentException if a string holds an unpaired surrogate, or there are more
   *     than 65535 fields or list elements
   */
  public static byte[] encode(LedgerEntry entry) {
    byte[] out = new byte[encodedSize(entry)];
    out[0] = VERSION;
    out[1] = (byte) entry.type().code();
    int pos = putLong(out, 2, entry.timeMillis());
    pos = putShort(out, pos, entry.fields().size());
    for (LedgerEntry.Field f : entry.fields()) {
      pos = putField(out, pos, f);
    }
    return out;
  }

  /** Decodes a whole array; see {@link #decode(byte[], int, int)}. */
  public static LedgerEntry decode(byte[] payload) throws EntryFormatException {
    return decode(payload, 0, payload.length);
  }

  /**
   * Decodes {@code length} bytes at {@code offset}, strictly: an unknown type or kind, malformed
   * UTF-8, a non-canonical form, a length running past the payload or trailing bytes all throw.
   */
  public static LedgerEntry decode(byte[] buf, int offset, int length) throws EntryFormatException {
    return new EntryDecoder(buf, offset, length).decode();
  }

  /** The exact number of bytes {@link #encode} produces for {@code entry}. */
  public static int encodedSize(LedgerEntry entry) {
    List<LedgerEntry.Field> fields = entry.fields();
    checkCount(fields.size(), "field count of " + entry.type().label());
    long size = MIN_PAYLOAD;
    for (LedgerEntry.Field f : fields) {
      size += 2 + f.key().length() + valueSize(f);
    }
    if (size > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("entry is too large to encode: " + size + " bytes");
    }
    return (int) size;
  }

  private static long valueSize(LedgerEntry.Field f) {
    Object v = f.value();
    if (v instanceof Long) {
      return 8;
    }
    if (v instanceof String s) {
      return 4L + Utf8.length(s, f.key());
    }
    List<?> list = (List<?>) v;
    checkCount(list.size(), "list " + f.key());
    long size = 2;
    for (Object o : list) {
      size += o instanceof Long ? 8 : 4L + Utf8.length((String) o, f.key());
    }
    return size;
  }

  private static int putField(byte[] out, int pos, LedgerEntry.Field f) {
    String key = f.key();
    out[pos++] = (byte) key.length();
    for (int i = 0; i < key.length(); i++) {
      out[pos++] = (byte) key.charAt(i);
    }
    Object v = f.value();
    if (v instanceof Long l) {
      out[pos++] = KIND_LONG;
      return putLong(out, pos, l);
    }
    if (v instanceof String s) {
      out[pos++] = KIND_STRING;
      return putString(out, pos, s);
    }
    List<?> list = (List<?>) v;
    boolean longs = !list.isEmpty() && list.get(0) instanceof Long;
    out[pos++] = (byte) (longs ? KIND_LONGS : KIND_STRINGS);
    pos = putShort(out, pos, list.size());
    for (Object o : list) {
      pos = longs ? putLong(out, pos, (Long) o) : putString(out, pos, (String) o);
    }
    return pos;
  }

  private static int putString(byte[] out, int pos, String s) {
    int start = pos + 4;
    int end = Utf8.write(s, out, start);
    putInt(out, pos, end - start);
    return end;
  }

  private static int putShort(byte[] out, int pos, int v) {
    out[pos] = (byte) (v >>> 8);
    out[pos + 1] = (byte) v;
    return pos + 2;
  }

  private static int putInt(byte[] out, int pos, int v) {
    for (int i = 3; i >= 0; i--) {
      out[pos + i] = (byte) v;
      v >>>= 8;
    }
    return pos + 4;
  }

  private static int putLong(byte[] out, int pos, long v) {
    for (int i = 7; i >= 0; i--) {
      out[pos + i] = (byte) v;
      v >>>= 8;
    }
    return pos + 8;
  }

  private static void checkCount(int n, String what) {
    if (n > MAX_COUNT) {
      throw new IllegalArgumentException(what + " is " + n + ", at most " + MAX_COUNT + " encode");
    }
  }
}
