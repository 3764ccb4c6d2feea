package dev.sluice.detect.fingerprint;

import java.util.Arrays;
import java.util.Objects;

/**
 * Content-defined chunking of a stream fed in arbitrary pieces (FastCDC with normalized chunking,
 * see {@link ChunkParams}). State is a few numbers: where the current chunk started, its length so
 * far, the gear hash and the running {@link ChunkHash} (and, reused, the cuts of one piece and a
 * hash per chunk in it); no byte is buffered, so a chunker costs the same whatever the length of
 * the stream. Cutting the same bytes in different pieces gives the same chunks.
 */
public final class GearChunker implements Cutter {

  private final ChunkParams params;
  private final long[] gear;
  private final long maskSmall;
  private final long maskLarge;
  private final int min;
  private final int avg;
  private final int max;
  private final ChunkSink sink;

  /** The running hash of the current chunk first, then spares for the chunks of one piece. */
  private ChunkHash[] hashes = {new ChunkHash(), new ChunkHash(), new ChunkHash(), new ChunkHash()};

  private int[] cuts = new int[8];
  private boolean[] forced = new boolean[8];
  private int cutCount;

  private long chunkStart;
  private int length;
  private long gearHash;

  public GearChunker(ChunkParams params, ChunkSink sink) {
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

  /**
   * Chunks {@code len} more bytes of the stream: first the cuts are found (the gear hash), then the
   * piece's chunks are fingerprinted, two at a time ({@link ChunkHash#update(ChunkHash, int, int,
   * ChunkHash, int, int, byte[])}), and passed to the sink in order.
   */
  @Override
  public void feed(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int end = off + len;
    int before = length;
    findCuts(b, off, end);
    // segment k is b[from(k), to(k)): the current chunk's rest, whole chunks, the next chunk's
    // start
    int segments = cutCount + 1;
    if (hashes.length < segments) {
      ChunkHash[] more = Arrays.copyOf(hashes, Math.max(segments, 2 * hashes.length));
      for (int k = hashes.length; k < more.length; k++) {
        more[k] = new ChunkHash();
      }
      hashes = more;
    }
    for (int k = 1; k < segments; k++) {
      hashes[k].reset();
    }
    int k = 0;
    for (; k + 1 < segments; k += 2) {
      int a = k == 0 ? off : cuts[k - 1];
      int c = cuts[k];
      int d = k + 1 < cutCount ? cuts[k + 1] : end;
      ChunkHash.update(hashes[k], a, c - a, hashes[k + 1], c, d - c, b);
    }
    if (k < segments) {
      int a = k == 0 ? off : cuts[k - 1];
      hashes[k].update(b, a, end - a);
    }
    for (k = 0; k < cutCount; k++) {
      int chunk = k == 0 ? before + (cuts[0] - off) : cuts[k] - cuts[k - 1];
      sink.chunk(chunkStart, chunk, hashes[k].finish(), forced[k]);
      chunkStart += chunk;
    }
    ChunkHash next = hashes[cutCount];
    hashes[cutCount] = hashes[0];
    hashes[0] = next;
  }

  /**
   * Finds the cuts in {@code b[off, end)} into {@link #cuts} (the index after each chunk's last
   * byte) and {@link #forced}; {@link #length} and {@link #gearHash} end as the next chunk's.
   */
  private void findCuts(byte[] b, int off, int end) {
    cutCount = 0;
    int i = off;
    while (i < end) {
      if (length < min) {
        int n = Math.min(min - length, end - i);
        length += n;
        i += n;
        gearHash = 0;
        continue;
      }
      int segmentStart = i;
      int lengthBefore = length;
      int cut = scan(b, i, end);
      if (cut >= 0) {
        addCut(cut, false);
        i = cut;
      } else {
        i = segmentStart + (length - lengthBefore);
        if (length == max) {
          addCut(i, true);
        }
      }
    }
  }

  private void addCut(int at, boolean isForced) {
    if (cutCount == cuts.length) {
      cuts = Arrays.copyOf(cuts, 2 * cutCount);
      forced = Arrays.copyOf(forced, 2 * cutCount);
    }
    cuts[cutCount] = at;
    forced[cutCount++] = isForced;
    length = 0;
    gearHash = 0;
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

  /** Emits the last, partial chunk (if any): the end of the stream is a boundary. */
  @Override
  public void finish() {
    if (length > 0) {
      sink.chunk(chunkStart, length, hashes[0].finish(), false);
      chunkStart += length;
      length = 0;
      gearHash = 0;
      hashes[0].reset();
    }
  }
}
