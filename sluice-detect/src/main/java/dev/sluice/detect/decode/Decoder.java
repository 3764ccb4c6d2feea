package dev.sluice.detect.decode;

/**
 * A streaming transform: fed the pieces of a stream ({@link ByteSink}), it sends what they decode
 * to to the sink it was made with. Memory is bounded by the decoder's fixed buffers whatever the
 * input. Data-plane code: a decoder never throws on its input; input it cannot decode (corrupt, or
 * expanding past the limit) makes it {@link #failure() fail}: it stops, says why, and ignores the
 * rest.
 */
public interface Decoder extends ByteSink {

  /** Why the decoder stopped, or null while it decodes. */
  String failure();
}
