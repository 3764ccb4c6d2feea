package dev.sluice.ledger;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict reader of one {@link EntryCodec} payload. Every error names the payload offset of the byte
 * that could not be accepted. One instance decodes one payload; not thread-safe.
 */
final class EntryDecoder {

  private final byte[] buf;
  private final int start;
  private final int end;
  private int pos;

  EntryDecoder(byte[] buf, int offset, int length) {
    if (offset < 0 || length < 0 || offset + length > buf.length) {
      throw new IndexOutOfBoundsException("payload range outside the array");
    }
    this.buf = buf;
    this.start = offset;
    this.end = offset + length;
    this.pos = offset;
  }

  LedgerEntry decode() throws EntryFormatException {
    int version = u8("codec version");
    if (version != EntryCodec.VERSION) {
      throw error(pos - 1, "unknown codec version " + version);
    }
    int code = u8("entry type");
    EntryType type = EntryType.fromCode(code);
    if (type == null) {
      throw error(pos - 1, "unknown entry type code " + code);
    }
    LedgerEntry.Builder b = LedgerEntry.builder(type, i64("time"));
    int count = u16("field count");
    for (int i = 0; i < count; i++) {
      int fieldStart = pos;
      String key = key();
      Object value = value(key);
      try {
        b.putValue(key, value);
      } catch (IllegalArgumentException e) {
        throw error(fieldStart, e.getMessage());
      }
    }
    if (pos != end) {
      throw error(pos, (end - pos) + " trailing bytes after the last field");
    }
    return b.build();
  }

  private String key() throws EntryFormatException {
    int len = u8("key length");
    if (len == 0 || len > 64) {
      throw error(pos - 1, "key length " + len + " is outside 1..64");
    }
    need(len, "key");
    char[] chars = new char[len];
    for (int i = 0; i < len; i++) {
      int c = buf[pos + i] & 0xFF;
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        throw error(pos + i, "key byte 0x" + Integer.toHexString(c) + " is not [a-z0-9_]");
      }
      chars[i] = (char) c;
    }
    pos += len;
    return new String(chars);
  }

  private Object value(String key) throws EntryFormatException {
    int kind = u8("kind of " + key);
    switch (kind) {
      case EntryCodec.KIND_LONG:
        return i64(key);
      case EntryCodec.KIND_STRING:
        return string(key);
      case EntryCodec.KIND_LONGS:
        {
          int countAt = pos;
          int n = u16("count of " + key);
          if (n == 0) {
            throw error(countAt, "empty list " + key + " must be encoded as kind 4");
          }
          need(8L * n, "list " + key, countAt);
          List<Long> out = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            out.add(i64(key));
          }
          return out;
        }
      case EntryCodec.KIND_STRINGS:
        {
          int countAt = pos;
          int n = u16("count of " + key);
          need(4L * n, "list " + key, countAt);
          List<String> out = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            out.add(string(key));
          }
          return out;
        }
      default:
        throw error(pos - 1, "unknown value kind " + kind + " for field " + key);
    }
  }

  private String string(String key) throws EntryFormatException {
    int lengthAt = pos;
    long len = u32("length of " + key);
    need(len, "string " + key, lengthAt);
    try {
      String s =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(buf, pos, (int) len))
              .toString();
      pos += (int) len;
      return s;
    } catch (CharacterCodingException e) {
      throw error(pos, "string " + key + " is not valid UTF-8");
    }
  }

  private int u8(String what) throws EntryFormatException {
    need(1, what);
    return buf[pos++] & 0xFF;
  }

  private int u16(String what) throws EntryFormatException {
    need(2, what);
    int v = (buf[pos] & 0xFF) << 8 | (buf[pos + 1] & 0xFF);
    pos += 2;
    return v;
  }

  private long u32(String what) throws EntryFormatException {
    need(4, what);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = v << 8 | (buf[pos++] & 0xFF);
    }
    return v;
  }

  private long i64(String what) throws EntryFormatException {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (buf[pos++] & 0xFF);
    }
    return v;
  }

  private void need(long n, String what) throws EntryFormatException {
    need(n, what, pos);
  }

  // Fails when fewer than n bytes remain; the error names the length field at `at`.
  private void need(long n, String what, int at) throws EntryFormatException {
    if (n > end - pos) {
      throw error(at, what + " needs " + n + " bytes but only " + (end - pos) + " remain");
    }
  }

  private EntryFormatException error(int at, String problem) {
    return new EntryFormatException(at - start, problem);
  }
}
