package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.Hello;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads one side's version 2 link stream ({@link MuxFormat}) strictly, from bytes in any pieces.
 * Each complete, checked frame becomes a {@link Received} with its offset; nothing of a frame is
 * emitted before all its checks passed. The first problem is a {@link LinkFormatException} naming
 * the absolute byte offset (magic included) and the frame; the decoder then stays failed.
 *
 * <p>Checks, in order: the magic byte by byte; frame 0 as in version 1 (type, shortest-form length
 * within the type's range as soon as it is in, CRC over sequence number 0, payload); after it, the
 * compact header as soon as its bytes are in (shortest form, at most {@value MuxFormat#MAX_PAYLOAD}
 * bytes of payload, a known type), so at most one frame is ever buffered; once the frame is in, the
 * CRC (with checksums), the type's side and place ({@link MuxRules}), the payload. At {@link
 * #endOfStream}: a stream is complete only at a frame boundary after GOAWAY, ERROR or REFUSE.
 *
 * <p>The gateway reads the edge's stream with the checksum setting it chose itself; the edge learns
 * it from the ACCEPT it reads. A HELLO that does not offer version 2 makes the decoder skip
 * everything after it (a version 1 edge sends its DATA without waiting): the gateway answers REFUSE
 * VERSION and closes. Not thread-safe.
 */
public final class MuxFrameDecoder {

  /**
   * A checked frame: its offset in the stream, the size of its header (type and length: 2..4 for
   * frame 0, 1..4 after it), and its message: a {@link MuxMessage}, or for frame 0 a {@link Hello},
   * {@link MuxAccept}, {@link LinkMessage.Refuse} or {@link LinkMessage.LinkError}.
   */
  public record Received(long offset, int header, Object message) {}

  private final LinkSide writer;
  private final MuxRules rules;
  private final CRC32C crc = new CRC32C();
  private final byte[] seqBytes = new byte[8];
  private boolean checksums;
  private long offset;
  private long nextSeq;
  private boolean refused;
  private boolean foreign;
  private LinkFormatException failure;

  /**
   * @param writer the side that writes the stream read here
   * @param checksums whether frames after frame 0 carry a CRC (the gateway's own choice; an edge's
   *     decoder takes it from ACCEPT)
   */
  public MuxFrameDecoder(LinkSide writer, boolean checksums) {
    this.writer = writer;
    this.rules = new MuxRules(writer);
    this.checksums = checksums;
  }

  public long offset() {
    return offset;
  }

  public boolean checksums() {
    return checksums;
  }

  public LinkFormatException failure() {
    return failure;
  }

  /**
   * Consumes the complete frames in {@code in}, adding a {@link Received} for each to {@code out}.
   */
  public void decode(ByteBuf in, List<Object> out) throws LinkFormatException {
    if (failure != null) {
      throw failure;
    }
    try {
      frames(in, out);
    } catch (LinkFormatException e) {
      failure = e;
      throw e;
    }
  }

  /** The stream ended with {@code rest} unconsumed; throws unless it ended cleanly. */
  public void endOfStream(ByteBuf rest) throws LinkFormatException {
    if (failure != null) {
      throw failure;
    }
    if (foreign) {
      return;
    }
    long end = offset + rest.readableBytes();
    String why;
    if (offset < 4) {
      why = "stream ends inside the magic";
    } else if (rest.isReadable()) {
      why = "truncated: the stream ends inside a frame";
    } else if (refused || rules.goneAway() || rules.finished()) {
      return;
    } else {
      why = "truncated: the stream ends without GOAWAY, ERROR or REFUSE";
    }
    failure = fail(end, why);
    throw failure;
  }

  private void frames(ByteBuf in, List<Object> out) throws LinkFormatException {
    if (foreign) {
      in.skipBytes(in.readableBytes());
      return;
    }
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
    while (in.isReadable()) {
      if (refused || rules.finished()) {
        throw fail(offset, "bytes after the last frame of the stream");
      }
      boolean more = nextSeq == 0 ? frameZero(in, out) : frame(in, out);
      if (!more) {
        return;
      }
      if (foreign) {
        in.skipBytes(in.readableBytes());
        return;
      }
    }
  }

  /** Frame 0, version 1's layout; false while incomplete. */
  private boolean frameZero(ByteBuf in, List<Object> out) throws LinkFormatException {
    int r = in.readerIndex();
    if (in.readableBytes() < 2) {
      return false;
    }
    int code = in.getUnsignedByte(r);
    FrameType t = FrameType.of(code);
    boolean allowed =
        t == FrameType.ERROR
            || (writer == LinkSide.EDGE
                ? t == FrameType.HELLO
                : t == FrameType.ACCEPT || t == FrameType.REFUSE);
    if (!allowed) {
      throw fail(
          offset,
          (t == null ? "unknown frame type " + code : t.toString())
              + " as frame 0 of the "
              + writer.label()
              + "'s stream");
    }
    long n = 0;
    int k = 0;
    for (; ; k++) {
      if (k == EdgeLink.MAX_LENGTH_BYTES) {
        throw fail(offset + 1, "payload length longer than 3 bytes");
      }
      if (in.readableBytes() < 2 + k) {
        return false;
      }
      int b = in.getUnsignedByte(r + 1 + k);
      n |= (long) (b & 0x7F) << (7 * k);
      if ((b & 0x80) == 0) {
        if (k > 0 && b == 0) {
          throw fail(offset + 1, "payload length " + n + " not in its shortest form");
        }
        break;
      }
    }
    int max =
        switch (t) {
          case HELLO -> 322;
          case ACCEPT -> 21;
          default -> 2 + EdgeLink.MAX_REASON;
        };
    if (n > max) {
      throw fail(offset + 1, "payload length " + n + " is not valid for " + t);
    }
    int h = 2 + k;
    int total = h + (int) n + EdgeLink.TRAILER;
    if (in.readableBytes() < total) {
      return false;
    }
    checkCrc(in, r, h + (int) n);
    Object m;
    try {
      if (t == FrameType.ACCEPT) {
        MuxAccept a = MuxFormat.readAccept(in.slice(r + h, (int) n));
        checksums = a.checksums();
        m = a;
      } else {
        String bad = LinkPayloadReader.badLength(t, (int) n);
        if (bad != null) {
          throw fail(offset + 1, bad);
        }
        m = LinkPayloadReader.readPayload(t, in.slice(r + h, (int) n));
      }
    } catch (MuxFormat.Bad e) {
      throw fail(offset + h + e.at, e.getMessage());
    } catch (LinkPayloadReader.BadPayload e) {
      throw fail(offset + h + e.at, e.getMessage());
    }
    out.add(new Received(offset, h, m));
    in.skipBytes(total);
    offset += total;
    nextSeq = 1;
    refused = t == FrameType.REFUSE || t == FrameType.ERROR;
    foreign = m instanceof Hello hello && !hello.versions().contains(MuxFormat.VERSION);
    return true;
  }

  /** A frame after frame 0; false while incomplete. */
  private boolean frame(ByteBuf in, List<Object> out) throws LinkFormatException {
    int r = in.readerIndex();
    long v = 0;
    int k = 0;
    for (; ; k++) {
      if (k == MuxFormat.MAX_HEADER) {
        throw fail(offset, "frame header longer than " + MuxFormat.MAX_HEADER + " bytes");
      }
      if (in.readableBytes() < 1 + k) {
        return false;
      }
      int b = in.getUnsignedByte(r + k);
      v |= (long) (b & 0x7F) << (7 * k);
      if ((b & 0x80) == 0) {
        if (k > 0 && b == 0) {
          throw fail(offset, "frame header not in its shortest form");
        }
        break;
      }
    }
    int code = (int) (v & 0xF);
    long n = v >>> 4;
    MuxType t = MuxType.of(code);
    if (t == null) {
      throw fail(offset, "unknown frame type " + code);
    }
    if (n > MuxFormat.MAX_PAYLOAD) {
      throw fail(offset, "payload length " + n + " above " + MuxFormat.MAX_PAYLOAD);
    }
    int h = k + 1;
    int body = h + (int) n;
    int total = body + (checksums ? MuxFormat.CRC : 0);
    if (in.readableBytes() < total) {
      return false;
    }
    if (checksums) {
      checkCrc(in, r, body);
    }
    MuxMessage m;
    try {
      m = MuxFormat.readPayload(t, in.slice(r + h, (int) n));
    } catch (MuxFormat.Bad e) {
      throw fail(offset + h + e.at, e.getMessage());
    }
    String wrong = rules.check(m);
    if (wrong != null) {
      throw fail(offset, wrong);
    }
    rules.record(m);
    out.add(new Received(offset, h, m));
    in.skipBytes(total);
    offset += total;
    nextSeq++;
    return true;
  }

  private void checkCrc(ByteBuf in, int r, int len) throws LinkFormatException {
    long seq = nextSeq;
    for (int i = 7; i >= 0; i--) {
      seqBytes[i] = (byte) seq;
      seq >>>= 8;
    }
    crc.reset();
    crc.update(seqBytes);
    crc.update(in.nioBuffer(r, len));
    int computed = (int) crc.getValue();
    int stored = in.getInt(r + len);
    if (computed != stored) {
      throw fail(
          offset + len,
          String.format(
              "CRC mismatch (a corrupted, missing or reordered frame): computed %08x, frame has"
                  + " %08x",
              computed, stored));
    }
  }

  private LinkFormatException fail(long at, String problem) {
    return new LinkFormatException(
        writer, at, offset < 4 ? 0 : offset, offset < 4 ? -1 : nextSeq, problem);
  }
}
