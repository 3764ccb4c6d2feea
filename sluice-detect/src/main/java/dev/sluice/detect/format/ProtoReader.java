package dev.sluice.detect.format;

import java.io.IOException;

/**
 * A reader of the protobuf wire format over a span {@code [start, end)} of a {@link FileWindow}:
 * varints (at most 10 bytes), fixed32, fixed64 and length-delimited fields, whose length must fit
 * in the enclosing span. Groups (wire types 3 and 4) are refused. Payloads are not read unless
 * asked: {@link #delimited()} gives their offset and length, so a reader finds the bytes of a
 * tensor without loading them.
 */
final class ProtoReader {
  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int DELIMITED = 2;
  static final int FIXED32 = 5;

  private final FileWindow in;
  private final long start;
  private final long end;
  private long pos;
  private int field;
  private int wireType;
  private long tagOffset;
  private long payloadOffset;
  private long payloadLength;

  ProtoReader(FileWindow in, long start, long end) {
    this.in = in;
    this.start = start;
    this.pos = start;
    this.end = end;
  }

  /** Offset of the first byte of this span. */
  long start() {
    return start;
  }

  /** Reads the next tag; false at the end of the span. */
  boolean next() throws IOException {
    if (pos >= end) {
      return false;
    }
    tagOffset = pos;
    long tag = varint();
    long f = tag >>> 3;
    int w = (int) (tag & 7);
    if (f < 1 || f > 0x1fff_ffff) {
      throw in.error(tagOffset, "bad protobuf field number " + f);
    }
    if (w != VARINT && w != FIXED64 && w != DELIMITED && w != FIXED32) {
      throw in.error(tagOffset, "unsupported protobuf wire type " + w + " (field " + f + ")");
    }
    field = (int) f;
    wireType = w;
    return true;
  }

  int field() {
    return field;
  }

  int wireType() {
    return wireType;
  }

  /** Offset of the current field's tag. */
  long tagOffset() {
    return tagOffset;
  }

  /** Fails unless the current field has wire type {@code expected}. */
  void expect(int expected, String what) throws FormatException {
    if (wireType != expected) {
      throw in.error(
          tagOffset,
          what + " (field " + field + ") has wire type " + wireType + ", expected " + expected);
    }
  }

  /** Reads a varint value (the current field's, or one element of a packed run). */
  long varint() throws IOException {
    long start = pos;
    long value = 0;
    for (int i = 0; i < 10; i++) {
      if (pos >= end) {
        throw in.error(start, "truncated varint");
      }
      int b = in.byteAt(pos++);
      value |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw in.error(start, "varint longer than 10 bytes");
  }

  long fixed64() throws IOException {
    check(8);
    long v = in.i64le(pos);
    pos += 8;
    return v;
  }

  int fixed32() throws IOException {
    check(4);
    int v = (int) in.u32le(pos);
    pos += 4;
    return v;
  }

  /**
   * Consumes a length-delimited field: afterwards {@link #payloadOffset()} and {@link
   * #payloadLength()} name its payload, which lies within the span.
   */
  void delimited() throws IOException {
    long lengthAt = pos;
    long n = varint();
    if (n < 0 || n > end - pos) {
      throw in.error(
          lengthAt,
          "field " + field + " declares " + n + " bytes but only " + (end - pos) + " remain");
    }
    payloadOffset = pos;
    payloadLength = n;
    pos += n;
  }

  long payloadOffset() {
    return payloadOffset;
  }

  long payloadLength() {
    return payloadLength;
  }

  /** Consumes a length-delimited field and returns a reader of its payload. */
  ProtoReader message() throws IOException {
    delimited();
    return new ProtoReader(in, payloadOffset, payloadOffset + payloadLength);
  }

  /** Consumes a length-delimited field as UTF-8 text of at most {@code max} bytes. */
  String string(int max) throws IOException {
    delimited();
    if (payloadLength > max) {
      throw in.error(payloadOffset, "string of " + payloadLength + " bytes, limit " + max);
    }
    return in.utf8(payloadOffset, (int) payloadLength);
  }

  /** Skips the current field's value. */
  void skip() throws IOException {
    switch (wireType) {
      case VARINT -> varint();
      case FIXED64 -> check(8);
      case FIXED32 -> check(4);
      case DELIMITED -> delimited();
      default -> throw in.error(tagOffset, "unsupported wire type " + wireType);
    }
    if (wireType == FIXED64) {
      pos += 8;
    } else if (wireType == FIXED32) {
      pos += 4;
    }
  }

  /** A reader of the bytes of the last {@link #delimited()} payload (for packed runs). */
  ProtoReader payload() {
    return new ProtoReader(in, payloadOffset, payloadOffset + payloadLength);
  }

  boolean atEnd() {
    return pos >= end;
  }

  private void check(int n) throws FormatException {
    if (end - pos < n) {
      throw in.error(pos, "truncated fixed" + (8 * n) + " field " + field);
    }
  }
}
