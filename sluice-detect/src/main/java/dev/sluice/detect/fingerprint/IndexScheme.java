package dev.sluice.detect.fingerprint;

/**
 * How an index picks the stretches of weights it fingerprints, which a matcher must share: {@link
 * ChunkParams} (content-defined chunks that tile the tensor bytes, index format version 1) or
 * {@link AnchorParams} (fixed-length segments after content-defined anchors, version 2). Decision
 * record 0035 says why both exist and why anchors are the default.
 */
public sealed interface IndexScheme permits ChunkParams, AnchorParams {

  /**
   * The longest stretch of a lane one lookup covers: a match is reported at most this many bytes
   * (of the lane) after the stretch's first byte, which is what a blocking stage must hold back.
   */
  int maxSpan();
}
