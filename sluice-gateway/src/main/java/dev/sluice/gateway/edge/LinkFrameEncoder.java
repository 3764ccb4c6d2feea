package dev.sluice.gateway.edge;

import dev.sluice.gateway.edge.LinkMessage.Data;
import dev.sluice.gateway.edge.LinkMessage.End;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes one side's link stream ({@link EdgeLink}): the magic before the first frame, then each
 * message as a frame: type, length (a varint), payload and the CRC32C of the frame's sequence
 * number (counted here, not written) and its bytes. DATA longer than {@link EdgeLink#MAX_PAYLOAD}
 * becomes several frames; empty DATA writes nothing. The encoder keeps the stream canonical: a
 * message that is not allowed where it would go, or whose payload is not canonical, is refused with
 * an {@link IllegalArgumentException} or {@link IllegalStateException} before anything is written.
 * Not thread-safe (one per channel, used on its event loop).
 */
public final class LinkFrameEncoder {

  private final LinkSide writer;
  private final CRC32C crc = new CRC32C();
  private final byte[] seqBytes = new byte[8];
  private boolean started;
  private long nextSeq;
  private boolean ended;
  private boolean finished;
  private long dataBytes;
  private long bytesWritten;

  /** An encoder for the stream that {@code writer} writes. */
  public LinkFrameEncoder(LinkSide writer) {
    this.writer = writer;
  }

  /** Writes {@code m} (and the magic, if nothing was written yet) to {@code out}. */
  public void encode(LinkMessage m, ByteBuf out) {
    if (m instanceof Data d) {
      byte[] b = d.bytes();
      if (b.length <= EdgeLink.MAX_PAYLOAD) {
        if (b.length > 0) {
          frame(d, out);
        }
        return;
      }
      for (int from = 0; from < b.length; from += EdgeLink.MAX_PAYLOAD) {
        frame(
            new Data(Arrays.copyOfRange(b, from, Math.min(b.length, from + EdgeLink.MAX_PAYLOAD))),
            out);
      }
      return;
    }
    frame(m, out);
  }

  /** True if a message of this type may be written now. */
  public boolean canWrite(FrameType t) {
    return !finished && EdgeLink.misplaced(writer, nextSeq, t, ended) == null;
  }

  /** Every byte written so far, magic and framing included (what a budget charges). */
  public long bytesWritten() {
    return bytesWritten;
  }

  /** Sum of the DATA payload lengths written so far. */
  public long dataBytes() {
    return dataBytes;
  }

  /** True once END was written. */
  public boolean ended() {
    return ended;
  }

  /** True once REFUSE or ERROR was written: nothing more may follow. */
  public boolean finished() {
    return finished;
  }

  /** The 8 big-endian bytes of sequence number {@code seq}, which the CRC covers first. */
  private byte[] sequenceBytes(long seq) {
    for (int i = 7; i >= 0; i--) {
      seqBytes[i] = (byte) seq;
      seq >>>= 8;
    }
    return seqBytes;
  }

  private void frame(LinkMessage m, ByteBuf out) {
    FrameType t = m.type();
    if (finished) {
      throw new IllegalStateException(t + " after the " + writer.label() + "'s stream finished");
    }
    String misplaced = EdgeLink.misplaced(writer, nextSeq, t, ended);
    if (misplaced != null) {
      throw new IllegalStateException(misplaced);
    }
    if (m instanceof End e) {
      if (e.dataBytes() != End.UNCOUNTED && e.dataBytes() != dataBytes) {
        throw new IllegalArgumentException(
            "END says " + e.dataBytes() + " DATA bytes, the stream has " + dataBytes);
      }
      if (e.decodedBytes() < 0) {
        throw new IllegalArgumentException("negative decoded byte count " + e.decodedBytes());
      }
      m = new End(dataBytes, e.decodedBytes());
    }
    int begin = out.writerIndex();
    try {
      int n = EdgeLink.payloadSize(m);
      if (!started) {
        out.writeInt(EdgeLink.MAGIC);
      }
      int frameStart = out.writerIndex();
      out.writeByte(t.code());
      EdgeLink.writeVarint(out, n);
      int payloadAt = out.writerIndex();
      EdgeLink.writePayload(m, out);
      if (out.writerIndex() - payloadAt != n) {
        throw new IllegalStateException(
            t + " payload of " + (out.writerIndex() - payloadAt) + " bytes, expected " + n);
      }
      crc.reset();
      crc.update(sequenceBytes(nextSeq));
      crc.update(out.nioBuffer(frameStart, payloadAt - frameStart + n));
      out.writeInt((int) crc.getValue());
      if (m instanceof Data) {
        dataBytes += n;
      }
    } catch (RuntimeException e) {
      out.writerIndex(begin);
      throw e;
    }
    started = true;
    bytesWritten += out.writerIndex() - begin;
    nextSeq++;
    if (t == FrameType.END) {
      ended = true;
    }
    if (EdgeLink.finishes(t)) {
      finished = true;
    }
  }
}
