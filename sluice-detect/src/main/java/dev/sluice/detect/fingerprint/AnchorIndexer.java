package dev.sluice.detect.fingerprint;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The index side of anchored segments ({@link AnchorParams}): every offset of a stream fed in
 * arbitrary pieces is tested, and the segment after each anchor, if the stream holds all of it, is
 * fingerprinted and passed to the sink, anchors closer together than a segment included (a matcher,
 * which tests only some offsets, may find any of them). A segment in which fewer than an eighth of
 * the 8-byte words are distinct (runs, short repeated patterns, zero padding: bytes that are not
 * weights and would match such bytes anywhere) is passed as {@code forced}, to be left out, as
 * version 1 leaves out chunks cut at the maximum. Keeps the last {@code segment + 7} bytes between
 * pieces.
 */
final class AnchorIndexer implements Cutter {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final AnchorParams params;
  private final int segment;
  private final ChunkSink sink;
  private final long[] words;

  /** Bytes not yet past every test: work[0, held) are the stream from offset {@code heldStart}. */
  private byte[] work;

  private int held;
  private long heldStart;

  AnchorIndexer(AnchorParams params, ChunkSink sink) {
    this.params = Objects.requireNonNull(params, "params");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.segment = params.segment();
    this.words = new long[segment / 8];
    this.work = new byte[2 * segment];
  }

  @Override
  public void feed(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (held + len > work.length) {
      work = Arrays.copyOf(work, Math.max(held + len, 2 * work.length));
    }
    System.arraycopy(b, off, work, held, len);
    held += len;
    int last = held - segment; // the last offset whose segment is all here
    int p = 0;
    for (; p <= last; p++) {
      if (params.isAnchor((long) LONGS.get(work, p))) {
        long fingerprint = ChunkHash.of(work, p, segment);
        sink.chunk(heldStart + p, segment, fingerprint, repetitive(p));
      }
    }
    System.arraycopy(work, p, work, 0, held - p);
    held -= p;
    heldStart += p;
  }

  /** Whether fewer than an eighth of the segment's words at {@code p} are distinct. */
  private boolean repetitive(int p) {
    for (int w = 0; w < words.length; w++) {
      words[w] = (long) LONGS.get(work, p + 8 * w);
    }
    Arrays.sort(words);
    int distinct = 1;
    for (int w = 1; w < words.length; w++) {
      if (words[w] != words[w - 1]) {
        distinct++;
      }
    }
    return distinct < words.length / 8;
  }

  /** The stream ended: anchors too near its end for a whole segment are not indexed. */
  @Override
  public void finish() {
    heldStart += held;
    held = 0;
  }
}
