package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.End;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads one side's link stream ({@link EdgeLink}) strictly, from bytes that arrive in any pieces.
 * Complete, checked frames become {@link LinkMessage}s; nothing is emitted from a frame before its
 * CRC and every rule for it were checked. The first problem is a {@link LinkFormatException} naming
 * the absolute byte offset, after which the decoder stays failed. The checks, in order:
 *
 * <ol>
 *   <li>the magic, byte by byte as it arrives (offsets 0..3);
 *   <li>bytes after the last frame (REFUSE, ERROR, or END not followed by ERROR);
 *   <li>the payload length, as soon as its bytes are in: a varint not in its shortest form, longer
 *       than 3 bytes or above 1 MiB is refused at once (offset of the length field), without
 *       waiting for the payload, so at most one frame of 1 MiB + 8 bytes is ever buffered;
 *   <li>once the whole frame is in: the CRC, computed over the frame's expected sequence number and
 *       its bytes, so that a corrupted, missing, repeated or reordered frame fails it (offset of
 *       the CRC field); then the type (frame offset), the type's place in the stream (frame
 *       offset), the length the type requires (length field), the payload (offset in it), END's
 *       DATA byte count (first payload byte);
 *   <li>at {@link #endOfStream}: a stream that ended before its last frame, naming the offset where
 *       it ended and the frame it was in.
 * </ol>
 *
 * <p>Not thread-safe (one per channel, used on its event loop).
 */
public final class LinkFrameDecoder {

  private final LinkSide writer;
  private final CRC32C crc = new CRC32C();
  private final byte[] seqBytes = new byte[8];
  private long offset;
  private long nextSeq;
  private boolean ended;
  private boolean finished;
  private long dataBytes;
  private LinkFormatException failure;

  /** A decoder for the stream that {@code writer} writes. */
  public LinkFrameDecoder(LinkSide writer) {
    this.writer = writer;
  }

  /** Offset in the stream of the next byte not yet consumed. */
  public long offset() {
    return offset;
  }

  /** True once the last frame of the stream was read. */
  public boolean finished() {
    return finished;
  }

  /** True once END was read (only an ERROR may follow). */
  public boolean ended() {
    return ended;
  }

  /** The failure, once there was one. */
  public LinkFormatException failure() {
    return failure;
  }

  /**
   * Consumes the complete frames (and the magic) readable in {@code in} and adds their messages to
   * {@code out}; leaves an incomplete frame in {@code in}. After a failure, consumes nothing and
   * throws it again.
   */
  public void decode(ByteBuf in, List<? super LinkMessage> out) throws LinkFormatException {
    if (failure != null) {
      throw failure;
    }
    try {
      decodeFrames(in, out);
    } catch (LinkFormatException e) {
      failure = e;
      throw e;
    }
  }

  /**
   * The stream ended, with {@code rest} (possibly empty) left unconsumed by {@link #decode}. Throws
   * unless the stream is complete: its last frame (or an END) read and no bytes left.
   */
  public void endOfStream(ByteBuf rest) throws LinkFormatException {
    if (failure != null) {
      throw failure;
    }
    if ((finished || ended) && !rest.isReadable()) {
      return;
    }
    long end = offset + rest.readableBytes();
    if (offset < 4) {
      failure = fail(end, "stream ends inside the magic");
    } else if (rest.isReadable()) {
      long h;
      try {
        h = header(rest);
      } catch (LinkFormatException e) {
        failure = e;
        throw e;
      }
      String need =
          h < 0
              ? "its header is incomplete"
              : "it needs " + (EdgeLink.frameSize((int) h) - rest.readableBytes()) + " more bytes";
      failure = fail(end, "truncated: the stream ends inside the frame (" + need + ")");
    } else {
      failure = fail(end, "truncated: the stream ends without END, ERROR or REFUSE");
    }
    throw failure;
  }

  /**
   * The payload length n of the frame that starts at {@code in}'s reader index, or -1 while its
   * varint is incomplete. Rejects the length as soon as its bytes show that it is not in its
   * shortest form or above {@link EdgeLink#MAX_PAYLOAD} (offset of the length field).
   */
  private long header(ByteBuf in) throws LinkFormatException {
    int r = in.readerIndex();
    long n = 0;
    for (int k = 0; k < EdgeLink.MAX_LENGTH_BYTES; k++) {
      if (in.readableBytes() < 2 + k) {
        return -1;
      }
      int b = in.getUnsignedByte(r + 1 + k);
      n |= (long) (b & 0x7F) << (7 * k);
      if ((b & 0x80) == 0) {
        if (k > 0 && b == 0) {
          throw fail(
              offset + 1,
              "payload length "
                  + n
                  + " not in its shortest form ("
                  + (k + 1)
                  + " bytes, not "
                  + EdgeLink.varintSize(n)
                  + ")");
        }
        if (n > EdgeLink.MAX_PAYLOAD) {
          throw fail(offset + 1, "payload length " + n + " above " + EdgeLink.MAX_PAYLOAD);
        }
        return n;
      }
    }
    throw fail(
        offset + 1,
        "payload length longer than "
            + EdgeLink.MAX_LENGTH_BYTES
            + " bytes (above "
            + EdgeLink.MAX_PAYLOAD
            + ")");
  }

  private void decodeFrames(ByteBuf in, List<? super LinkMessage> out) throws LinkFormatException {
    if (offset < 4) {
      while (offset < 4 && in.isReadable()) {
        int expected = (EdgeLink.MAGIC >>> (8 * (3 - (int) offset))) & 0xFF;
        int b = in.getUnsignedByte(in.readerIndex());
        if (b != expected) {
          throw new LinkFormatException(
              writer,
              offset,
              0,
              -1,
              String.format("bad magic: byte 0x%02X, expected 0x%02X (\"SLNK\")", b, expected));
        }
        in.skipBytes(1);
        offset++;
      }
    }
    while (in.isReadable()) {
      if (finished) {
        throw fail(offset, "bytes after the last frame of the stream");
      }
      long len = header(in);
      if (len < 0) {
        return;
      }
      int n = (int) len;
      int r = in.readerIndex();
      int h = EdgeLink.headerSize(n);
      int total = EdgeLink.frameSize(n);
      if (in.readableBytes() < total) {
        return;
      }
      crc.reset();
      crc.update(sequenceBytes(nextSeq));
      crc.update(in.nioBuffer(r, h + n));
      int computed = (int) crc.getValue();
      int stored = in.getInt(r + h + n);
      if (computed != stored) {
        throw fail(
            offset + h + n,
            String.format(
                "CRC mismatch (a corrupted, missing or reordered frame): computed %08x, frame"
                    + " has %08x",
                computed, stored));
      }
      int code = in.getUnsignedByte(r);
      FrameType t = FrameType.of(code);
      if (t == null) {
        throw fail(offset, "unknown frame type " + code);
      }
      String misplaced = EdgeLink.misplaced(writer, nextSeq, t, ended);
      if (misplaced != null) {
        throw fail(offset, misplaced);
      }
      String badLength = LinkPayloadReader.badLength(t, n);
      if (badLength != null) {
        throw fail(offset + 1, badLength);
      }
      LinkMessage m;
      try {
        m = LinkPayloadReader.readPayload(t, in.slice(r + h, n));
      } catch (LinkPayloadReader.BadPayload e) {
        throw fail(offset + h + e.at, e.getMessage());
      }
      if (m instanceof End e && e.dataBytes() != dataBytes) {
        throw fail(
            offset + h,
            "END says " + e.dataBytes() + " DATA bytes, the stream carried " + dataBytes);
      }
      in.skipBytes(total);
      offset += total;
      nextSeq++;
      if (t == FrameType.DATA) {
        dataBytes += n;
      }
      if (t == FrameType.END) {
        ended = true;
      }
      if (EdgeLink.finishes(t)) {
        finished = true;
      }
      out.add(m);
    }
  }

  /** The 8 big-endian bytes of sequence number {@code seq}, which the CRC covers first. */
  private byte[] sequenceBytes(long seq) {
    for (int i = 7; i >= 0; i--) {
      seqBytes[i] = (byte) seq;
      seq >>>= 8;
    }
    return seqBytes;
  }

  private LinkFormatException fail(long at, String problem) {
    return new LinkFormatException(
        writer, at, offset < 4 ? 0 : offset, offset < 4 ? -1 : nextSeq, problem);
  }
}
