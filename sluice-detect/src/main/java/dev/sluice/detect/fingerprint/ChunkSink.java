package dev.sluice.detect.fingerprint;

/** Receives the chunks a {@link GearChunker} cuts, in order. */
@FunctionalInterface
public interface ChunkSink {

  /**
   * One chunk.
   *
   * @param start offset of the chunk's first byte in the chunked stream
   * @param length its length
   * @param fingerprint its {@link ChunkHash} (content and length)
   * @param forced true when the chunk was cut at the maximum size rather than at a content boundary
   */
  void chunk(long start, int length, long fingerprint, boolean forced);
}
