package dev.sluice.codec;

import java.util.function.Consumer;

/**
 * Feeds one whole egress stream to a {@link StreamEncoder} the way a gateway does: in {@value
 * #WRITE}-byte writes (what it might read from the upstream at once), ending a segment when it is
 * full and at the end of the stream. {@code sluice codec bench} and the JMH {@code CodecBenchmark}
 * both encode through here, so they measure the same thing.
 */
public final class GatewayWrites {

  /** Bytes per {@link StreamEncoder#write}. */
  public static final int WRITE = 16 << 10;

  private GatewayWrites() {}

  /** Encodes all of {@code input}; each non-empty segment goes to {@code segments}, in order. */
  public static void encode(StreamEncoder enc, byte[] input, Consumer<byte[]> segments) {
    for (int off = 0; off < input.length; ) {
      int len = Math.min(WRITE, input.length - off);
      while (len > 0) {
        int n = enc.write(input, off, len);
        off += n;
        len -= n;
        if (enc.pendingBytes() >= StreamEncoder.MAX_SEGMENT_INPUT) {
          emit(enc.flush(), segments);
        }
      }
    }
    emit(enc.flush(), segments);
  }

  private static void emit(byte[] seg, Consumer<byte[]> segments) {
    if (seg.length > 0) {
      segments.accept(seg);
    }
  }
}
