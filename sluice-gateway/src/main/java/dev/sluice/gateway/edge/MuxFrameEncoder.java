package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.Hello;
import dev.sluice.gateway.edge.LinkMessage.LinkError;
import dev.sluice.gateway.edge.LinkMessage.Refuse;
import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32C;

/**
 * Writes one side's version 2 link stream ({@link MuxFormat}): the magic and frame 0 in version 1's
 * layout (HELLO, {@link MuxAccept}, REFUSE or ERROR), then each {@link MuxMessage} as a frame with
 * the compact header, and the CRC while checksums are on. Refuses (IllegalArgumentException or
 * IllegalStateException, nothing written) what the format or {@link MuxRules} do not allow. Not
 * thread-safe.
 */
public final class MuxFrameEncoder {

  private final LinkSide writer;
  private final MuxRules rules;
  private final CRC32C crc = new CRC32C();
  private final byte[] seqBytes = new byte[8];
  private boolean checksums = true;
  private long nextSeq;
  private boolean refused;
  private long bytesWritten;

  public MuxFrameEncoder(LinkSide writer) {
    this.writer = writer;
    this.rules = new MuxRules(writer);
  }

  /** Whether frames after frame 0 carry a CRC (as ACCEPT says); before frame 1 only. */
  public void checksums(boolean on) {
    if (nextSeq > 1) {
      throw new IllegalStateException("checksums are set before the first frame after ACCEPT");
    }
    checksums = on;
  }

  public boolean checksums() {
    return checksums;
  }

  /** Bytes written so far, magic included. */
  public long bytesWritten() {
    return bytesWritten;
  }

  /** True once frame 0 was written. */
  public boolean started() {
    return nextSeq > 0;
  }

  /** True once nothing more may be written (ERROR, or REFUSE). */
  public boolean finished() {
    return refused || rules.finished();
  }

  /** True once GOAWAY was written. */
  public boolean goneAway() {
    return rules.goneAway();
  }

  /** Bytes {@link #handshake} writes for {@code m} (magic included). */
  public static int handshakeSize(Object m) {
    return 4
        + 1
        + EdgeLink.varintSize(handshakePayload(m))
        + handshakePayload(m)
        + EdgeLink.TRAILER;
  }

  private static int handshakePayload(Object m) {
    if (m instanceof MuxAccept a) {
      return MuxFormat.acceptSize(a);
    }
    return EdgeLink.payloadSize((LinkMessage) m);
  }

  /**
   * Writes the magic and frame 0: HELLO (edge), {@link MuxAccept} or REFUSE (gateway), or ERROR.
   */
  public void handshake(Object m, ByteBuf out) {
    if (nextSeq != 0) {
      throw new IllegalStateException("frame 0 was written already");
    }
    int type;
    if (m instanceof Hello && writer == LinkSide.EDGE) {
      type = FrameType.HELLO.code();
    } else if (m instanceof MuxAccept && writer == LinkSide.GATEWAY) {
      type = FrameType.ACCEPT.code();
    } else if (m instanceof Refuse && writer == LinkSide.GATEWAY) {
      type = FrameType.REFUSE.code();
    } else if (m instanceof LinkError) {
      type = FrameType.ERROR.code();
    } else {
      throw new IllegalStateException(m + " as frame 0 of the " + writer.label() + "'s stream");
    }
    int begin = out.writerIndex();
    try {
      int n = handshakePayload(m);
      out.writeInt(EdgeLink.MAGIC);
      int frameStart = out.writerIndex();
      out.writeByte(type);
      EdgeLink.writeVarint(out, n);
      int payloadAt = out.writerIndex();
      if (m instanceof MuxAccept a) {
        MuxFormat.writeAccept(a, out);
      } else {
        EdgeLink.writePayload((LinkMessage) m, out);
      }
      if (out.writerIndex() - payloadAt != n) {
        throw new IllegalStateException("frame 0 payload size");
      }
      out.writeInt(crc(0, out, frameStart, out.writerIndex() - frameStart));
    } catch (RuntimeException e) {
      out.writerIndex(begin);
      throw e;
    }
    bytesWritten += out.writerIndex() - begin;
    nextSeq = 1;
    refused = !(m instanceof Hello || m instanceof MuxAccept);
  }

  /** True if {@code m} may be written now. */
  public boolean canWrite(MuxMessage m) {
    return nextSeq > 0 && !finished() && rules.check(m) == null;
  }

  /** Writes {@code m} as one frame. */
  public void encode(MuxMessage m, ByteBuf out) {
    if (nextSeq == 0) {
      throw new IllegalStateException(m.type() + " before frame 0");
    }
    if (refused) {
      throw new IllegalStateException(m.type() + " after the handshake was refused");
    }
    String wrong = rules.check(m);
    if (wrong != null) {
      throw new IllegalStateException(wrong);
    }
    int begin = out.writerIndex();
    try {
      int n = MuxFormat.payloadSize(m);
      if (n > MuxFormat.MAX_PAYLOAD) {
        throw new IllegalArgumentException(m.type() + " payload of " + n + " bytes");
      }
      EdgeLink.writeVarint(out, ((long) n << 4) | m.type().code());
      int payloadAt = out.writerIndex();
      MuxFormat.writePayload(m, out);
      if (out.writerIndex() - payloadAt != n) {
        throw new IllegalStateException(m.type() + " payload size");
      }
      if (checksums) {
        out.writeInt(crc(nextSeq, out, begin, out.writerIndex() - begin));
      }
    } catch (RuntimeException e) {
      out.writerIndex(begin);
      throw e;
    }
    bytesWritten += out.writerIndex() - begin;
    nextSeq++;
    rules.record(m);
  }

  private int crc(long seq, ByteBuf buf, int from, int len) {
    for (int i = 7; i >= 0; i--) {
      seqBytes[i] = (byte) seq;
      seq >>>= 8;
    }
    crc.reset();
    crc.update(seqBytes);
    crc.update(buf.nioBuffer(from, len));
    return (int) crc.getValue();
  }
}
