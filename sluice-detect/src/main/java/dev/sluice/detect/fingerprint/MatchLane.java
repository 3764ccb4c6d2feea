package dev.sluice.detect.fingerprint;

import dev.sluice.detect.decode.ByteSink;

/**
 * One view of the stream (the bytes as they came, or one decoding of them) chunked and looked up in
 * the index. Consecutive chunks that continue the same source run extend one {@link Match}; a chunk
 * that does not starts a new one, reported to the matcher as soon as it is cut.
 */
final class MatchLane implements ByteSink {

  private final String name;
  private final boolean exact;
  private final FingerprintIndex index;
  private final FingerprintMatcher matcher;
  private final GearChunker chunker;
  private long pieceRaw;
  private long chunkRaw;
  private long lastEnd = -1;
  private SourceFile lastFile;
  private long lastSourceEnd;
  private int current = -1;

  MatchLane(String name, boolean exact, FingerprintIndex index, FingerprintMatcher matcher) {
    this.name = name;
    this.exact = exact;
    this.index = index;
    this.matcher = matcher;
    this.chunker = new GearChunker((ChunkParams) index.scheme(), this::chunk);
  }

  String name() {
    return name;
  }

  @Override
  public void accept(byte[] b, int off, int len, long rawStart) {
    pieceRaw = rawStart;
    chunker.feed(b, off, len);
  }

  @Override
  public void end() {
    chunker.finish();
  }

  private void chunk(long start, int length, long fingerprint, boolean forced) {
    long raw = exact ? start : chunkRaw;
    chunkRaw = pieceRaw;
    if (forced) {
      return;
    }
    int entry = index.find(fingerprint);
    if (entry < 0) {
      return;
    }
    SourceFile file = index.file(entry);
    long sourceOffset = index.offset(entry);
    if (current >= 0 && start == lastEnd && file == lastFile && sourceOffset == lastSourceEnd) {
      matcher.extend(current, length);
    } else {
      current = matcher.found(new Match(name, raw, length, file, sourceOffset));
    }
    lastEnd = start + length;
    lastFile = file;
    lastSourceEnd = sourceOffset + length;
  }
}
