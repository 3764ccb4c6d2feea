package dev.sluice.detect.decode;

/**
 * Where a stage of the scan pipeline sends bytes: the stream itself, or what a decoder made of it.
 * Every piece carries {@code rawStart}, the offset in the original (outermost) stream of the first
 * byte of the input piece it came from: a lower bound for where its bytes were in what crossed the
 * wire, which is what a block must stop before.
 */
public interface ByteSink {

  /** The next {@code len} bytes; {@code b} is only valid during the call. */
  void accept(byte[] b, int off, int len, long rawStart);

  /** The stream ended. */
  void end();
}
