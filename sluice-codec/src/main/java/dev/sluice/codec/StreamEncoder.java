package dev.sluice.codec;

import java.util.Objects;

/**
 * Compresses one egress stream on its own (the offline tools and benchmarks; a gateway uses {@link
 * LinkEncoder}, which this wraps with a single stream): bytes are written with {@link #write};
 * {@link #flush} returns a <em>segment</em> holding everything written since the last flush. A
 * {@link StreamDecoder} with the same model, given the segments in order, returns exactly the bytes
 * written. Model state carries over from one segment to the next.
 *
 * <p>A segment is one or more link frames ({@link LinkFrame}), each preceded by its length as a
 * varint. Never throws on any input. One instance per stream; not thread-safe.
 */
public final class StreamEncoder {

  /** Most input bytes in one segment. */
  public static final int MAX_SEGMENT_INPUT = 512 << 10;

  private final LinkEncoder link;
  private int pending;
  private long rawBytes;
  private long codedBytes;

  public StreamEncoder(CodecModel model) {
    this.link = new LinkEncoder(Objects.requireNonNull(model, "model"));
    link.open(0);
  }

  /**
   * The largest segment {@code input} bytes of input can become: a stored section costs a few bytes
   * more than its input, per frame of {@link LinkEncoder#MAX_FRAME_INPUT} bytes.
   */
  public static int maxSegmentSize(int input) {
    return input + (input / LinkEncoder.MAX_FRAME_INPUT + 1) * 32 + 16;
  }

  /**
   * Takes up to {@code len} bytes into the current segment.
   *
   * @return how many were taken: fewer than {@code len} when the segment is full; flush, then write
   *     the rest
   */
  public int write(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int n = Math.min(len, MAX_SEGMENT_INPUT - pending);
    if (n > 0) {
      int taken = link.write(0, b, off, n);
      pending += taken;
      rawBytes += taken;
      return taken;
    }
    return 0;
  }

  /** Input bytes taken into the current segment and not yet flushed. */
  public int pendingBytes() {
    return pending;
  }

  /**
   * Ends the current segment and returns it; an empty array when nothing was written since the last
   * flush (send nothing then).
   */
  public byte[] flush() {
    if (pending == 0) {
      return new byte[0];
    }
    ByteBuf out = new ByteBuf(pending / 8 + 16);
    while (link.pending(0) > 0) {
      LinkEncoder.Frame f = link.frame();
      if (!f.add(0, Long.MAX_VALUE)) {
        f.abandon();
        throw new IllegalStateException("pending input the encoder does not take");
      }
      byte[] payload = f.commit();
      out.varint(payload.length);
      out.put(payload, 0, payload.length);
    }
    pending = 0;
    byte[] seg = out.toArray();
    codedBytes += seg.length;
    return seg;
  }

  /** Input bytes written so far. */
  public long rawBytes() {
    return rawBytes;
  }

  /** Segment bytes returned so far. */
  public long codedBytes() {
    return codedBytes;
  }
}
