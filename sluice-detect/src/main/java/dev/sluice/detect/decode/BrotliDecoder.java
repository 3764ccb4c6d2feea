package dev.sluice.detect.decode;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * {@code Content-Encoding: br} (RFC 7932) through brotli4j's JNI decoder, whose push interface
 * (input in, output out, "needs more input") suits a stage fed pieces. Memory: a 64 KiB input
 * buffer, the output the native decoder hands over (it is copied out at once) and brotli's window
 * (at most 16 MiB by the RFC). Where the native library is not available the decoder fails from the
 * start, naming the cause.
 */
public final class BrotliDecoder extends ContentDecoder {

  private static final int BUFFER = 1 << 16;

  private DecoderJNI.Wrapper wrapper;
  private byte[] copy = new byte[BUFFER];

  public BrotliDecoder(ByteSink sink, ExpansionLimit limit) {
    super("br", sink, limit);
    try {
      Brotli4jLoader.ensureAvailability();
      wrapper = new DecoderJNI.Wrapper(BUFFER);
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      fail("no brotli decoder on this platform: " + e);
    }
  }

  @Override
  void decode(byte[] b, int off, int len, long rawStart) {
    int i = off;
    int end = off + len;
    while (!failed()) {
      switch (wrapper.getStatus()) {
        case NEEDS_MORE_INPUT -> {
          if (wrapper.hasOutput() && !drain(rawStart)) {
            return;
          }
          if (i == end) {
            return;
          }
          ByteBuffer in = wrapper.getInputBuffer();
          in.clear();
          int n = Math.min(end - i, in.capacity());
          in.put(b, i, n);
          i += n;
          wrapper.push(n);
        }
        case NEEDS_MORE_OUTPUT -> {
          if (!drain(rawStart)) {
            return;
          }
        }
        case OK -> wrapper.push(0);
        case DONE -> {
          if (wrapper.hasOutput()) {
            drain(rawStart);
          }
          return;
        }
        default -> fail("corrupt");
      }
    }
  }

  /** Sends on what the decoder has produced; false when that broke the expansion limit. */
  private boolean drain(long rawStart) {
    ByteBuffer out = wrapper.pull();
    int n = out.remaining();
    if (copy.length < n) {
      copy = new byte[n];
    }
    out.get(copy, 0, n);
    return output(copy, 0, n, rawStart);
  }

  @Override
  void close() {
    if (wrapper != null) {
      wrapper.destroy();
      wrapper = null;
    }
  }
}
