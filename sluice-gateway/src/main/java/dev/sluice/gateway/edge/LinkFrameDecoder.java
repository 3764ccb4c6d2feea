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
 *   <li>the payload length, as soon as the header is in: above 1 MiB is refused at once (offset of
 *       the length field), without waiting for the payload;
 *   <li>once the whole frame is in: the CRC (offset of the CRC field), then the type (frame
 *       offset), the sequence number (offset of the field), the type's place in the stream (frame
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
      String need =
          rest.readableBytes() < EdgeLink.HEADER
              ? "its header is incomplete"
              : "it needs "
                  + (EdgeLink.HEADER
                      + (long) rest.getInt(rest.readerIndex() + 9)
                      + EdgeLink.TRAILER
                      - rest.readableBytes())
                  + " more bytes";
      failure = fail(end, "truncated: the stream ends inside the frame (" + need + ")");
    } else {
      failure = fail(end, "truncated: the stream ends without END, ERROR or REFUSE");
    }
    throw failure;
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
      if (in.readableBytes() < EdgeLink.HEADER) {
        return;
      }
      int r = in.readerIndex();
      long n = in.getUnsignedInt(r + 9);
      if (n > EdgeLink.MAX_PAYLOAD) {
        throw fail(offset + 9, "payload length " + n + " above " + EdgeLink.MAX_PAYLOAD);
      }
      int total = EdgeLink.HEADER + (int) n + EdgeLink.TRAILER;
      if (in.readableBytes() < total) {
        return;
      }
      crc.reset();
      crc.update(in.nioBuffer(r, EdgeLink.HEADER + (int) n));
      int computed = (int) crc.getValue();
      int stored = in.getInt(r + EdgeLink.HEADER + (int) n);
      if (computed != stored) {
        throw fail(
            offset + EdgeLink.HEADER + n,
            String.format("CRC mismatch: computed %08x, frame has %08x", computed, stored));
      }
      int code = in.getUnsignedByte(r);
      FrameType t = FrameType.of(code);
      if (t == null) {
        throw fail(offset, "unknown frame type " + code);
      }
      long seq = in.getLong(r + 1);
      if (seq != nextSeq) {
        throw fail(
            offset + 1,
            "sequence gap: expected " + nextSeq + ", got " + Long.toUnsignedString(seq));
      }
      String misplaced = EdgeLink.misplaced(writer, nextSeq, t, ended);
      if (misplaced != null) {
        throw fail(offset, misplaced);
      }
      String badLength = EdgeLink.badLength(t, (int) n);
      if (badLength != null) {
        throw fail(offset + 9, badLength);
      }
      LinkMessage m;
      try {
        m = EdgeLink.readPayload(t, in.slice(r + EdgeLink.HEADER, (int) n));
      } catch (EdgeLink.BadPayload e) {
        throw fail(offset + EdgeLink.HEADER + e.at, e.getMessage());
      }
      if (m instanceof End e && e.dataBytes() != dataBytes) {
        throw fail(
            offset + EdgeLink.HEADER,
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

  private LinkFormatException fail(long at, String problem) {
    return new LinkFormatException(
        writer, at, offset < 4 ? 0 : offset, offset < 4 ? -1 : nextSeq, problem);
  }
}
