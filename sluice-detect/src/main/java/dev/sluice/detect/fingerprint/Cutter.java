package dev.sluice.detect.fingerprint;

/**
 * What the index builder feeds a file's tensor bytes to: it passes the stretches the index
 * fingerprints (chunks, or segments after anchors) to a {@link ChunkSink}.
 */
interface Cutter {

  /** The next {@code len} bytes of the stream. */
  void feed(byte[] b, int off, int len);

  /** The stream ended. */
  void finish();
}
