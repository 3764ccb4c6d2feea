package dev.sluice.detect.fingerprint;

import java.util.Objects;

/**
 * {@link GearChunker} as it was before {@link GearCandidates}: one gear-hash chain, byte by byte,
 * each position tested as it is reached. Kept, unchanged, as the reference the chunker must agree
 * with bit for bit (indexes built with it must still match).
 */
final class ReferenceGearChunker {

  private final ChunkParams params;
  private final long[] gear;
  private final long maskSmall;
  private final long maskLarge;
  private final int min;
  private final int avg;
  private final int max;
  private final ChunkSink sink;
  private final ChunkHash hash = new ChunkHash();

  private long chunkStart;
  private int length;
  private long gearHash;

  ReferenceGearChunker(ChunkParams params, ChunkSink sink) {
    this.params = Objects.requireNonNull(params, "params");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.gear = params.gearTable();
    this.maskSmall = params.maskSmall();
    this.maskLarge = params.maskLarge();
    this.min = params.min();
    this.avg = params.avg();
    this.max = params.max();
  }

  public ChunkParams params() {
    return params;
  }

  /** Offset in the stream of the next byte to be fed. */
  public long position() {
    return chunkStart + length;
  }

  /** Chunks {@code len} more bytes of the stream. */
  public void feed(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int i = off;
    int end = off + len;
    while (i < end) {
      if (length < min) {
        int n = Math.min(min - length, end - i);
        hash.update(b, i, n);
        length += n;
        i += n;
        gearHash = 0;
        continue;
      }
      int segmentStart = i;
      int lengthBefore = length;
      int cut = scan(b, i, end);
      if (cut >= 0) {
        hash.update(b, segmentStart, cut - segmentStart);
        emit(false);
        i = cut;
      } else {
        int consumed = segmentStart + (length - lengthBefore);
        hash.update(b, segmentStart, consumed - segmentStart);
        i = consumed;
        if (length == max) {
          emit(true);
        }
      }
    }
  }

  /**
   * Looks for a cut in {@code b[i..end)}, the current chunk being at least min long. Returns the
   * index after the cut byte, or -1 when there is none before end (or before max, which the caller
   * checks); either way {@link #length} and {@link #gearHash} are brought up to date.
   */
  private int scan(byte[] b, int i, int end) {
    long h = gearHash;
    long[] g = gear;
    int start = i;
    int base = length;
    int smallEnd = Math.min(end, i + Math.max(0, avg - base));
    long mask = maskSmall;
    for (; i < smallEnd; i++) {
      h = (h << 1) + g[b[i] & 0xFF];
      if ((h & mask) == 0) {
        length = base + (i + 1 - start);
        gearHash = h;
        return i + 1;
      }
    }
    int largeEnd = Math.min(end, start + (max - base));
    mask = maskLarge;
    for (; i < largeEnd; i++) {
      h = (h << 1) + g[b[i] & 0xFF];
      if ((h & mask) == 0) {
        length = base + (i + 1 - start);
        gearHash = h;
        return i + 1;
      }
    }
    length = base + (i - start);
    gearHash = h;
    return -1;
  }

  private void emit(boolean forced) {
    sink.chunk(chunkStart, length, hash.finish(), forced);
    chunkStart += length;
    length = 0;
    gearHash = 0;
    hash.reset();
  }

  /** Emits the last, partial chunk (if any): the end of the stream is a boundary. */
  public void finish() {
    if (length > 0) {
      emit(false);
    }
  }
}
