package dev.sluice.codec;

import java.io.ByteArrayOutputStream;
import java.util.Objects;

/**
 * Compresses one egress stream (the bytes a gateway writes toward the edge for one carried
 * connection) into <em>segments</em>. Bytes are written with {@link #write}; {@link #flush} ends
 * the current segment and returns it. A {@link StreamDecoder} with the same model, given the
 * segments in order, returns exactly the bytes written. Model state carries over from one segment
 * to the next, so many small segments cost little more than one big one, but every segment does
 * cost a few bytes: flush when the bytes must leave, not after every write.
 *
 * <p>A segment holds at most {@link #MAX_SEGMENT_INPUT} input bytes and is at most {@link
 * #maxSegmentSize(int)} bytes long; {@link #write} accepts only what still fits in the current
 * segment.
 *
 * <p>Never throws on any input: what the codec does not recognise is compressed generically or
 * stored. One instance per stream; not thread-safe.
 *
 * <p>INTERIM: stores the bytes; the real codec is being written (issue 7). The API is final.
 */
public final class StreamEncoder {

  /** Most input bytes in one segment. */
  public static final int MAX_SEGMENT_INPUT = 512 << 10;

  private final CodecModel model;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private long rawBytes;
  private long codedBytes;

  public StreamEncoder(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /** The largest segment {@code input} bytes of input can become. */
  public static int maxSegmentSize(int input) {
    return input + input / 256 + 16;
  }

  /**
   * Takes up to {@code len} bytes into the current segment.
   *
   * @return how many were taken: fewer than {@code len} when the segment is full; flush, then write
   *     the rest
   */
  public int write(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int n = Math.min(len, MAX_SEGMENT_INPUT - pending.size());
    pending.write(b, off, n);
    rawBytes += n;
    return n;
  }

  /** Input bytes taken into the current segment and not yet flushed. */
  public int pendingBytes() {
    return pending.size();
  }

  /**
   * Ends the current segment and returns it; an empty array when nothing was written since the last
   * flush (send nothing then).
   */
  public byte[] flush() {
    if (pending.size() == 0) {
      return new byte[0];
    }
    byte[] raw = pending.toByteArray();
    pending.reset();
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + 8);
    Varint.write(out, raw.length);
    out.write(0);
    out.write(raw, 0, raw.length);
    byte[] seg = out.toByteArray();
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

  CodecModel model() {
    return model;
  }
}
