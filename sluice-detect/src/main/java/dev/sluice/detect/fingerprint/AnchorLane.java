package dev.sluice.detect.fingerprint;

import dev.sluice.detect.decode.ByteSink;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One view of the stream (the bytes as they came, or one decoding of them) matched against an index
 * of anchored segments ({@link AnchorParams}): the offsets {@link AnchorSampling} picks are tested
 * for anchors, eight bytes each; after an anchor the next {@code segment} bytes are fingerprinted
 * ({@link ChunkHash}, over as many pieces as they arrive in) and looked up, and no offset is tested
 * until the segment is complete, so at most one segment is in progress and a stream of anchors
 * costs one fingerprinted byte per byte at worst. Segments found with the same displacement in the
 * same file (the stream offset minus the source offset) extend one {@link Match}; another starts a
 * new one, reported to the matcher as soon as its segment is looked up.
 *
 * <p>State: the position, the next offset to test, the last seven bytes of the lane (a test that
 * straddles two pieces), the segment's running hash and the current match: a few dozen bytes, none
 * of the stream buffered.
 */
final class AnchorLane implements ByteSink {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int BLOCK_SHIFT = 12;
  private static final int TAIL = 7;

  private final String name;
  private final boolean exact;
  private final FingerprintIndex index;
  private final FingerprintMatcher matcher;
  private final long seed;
  private final AnchorParams params;

  /** The top anchor-bits bits: an offset is an anchor when its hash has none of them set. */
  private final long topBits;

  private final int segment;
  private final int stride;
  private final int strideBits;

  /** SplitMix64's state: the phases of the blocks (Steele, Lea, Flood, OOPSLA 2014). */
  private long phases;

  /** Lane offset of the next byte to come. */
  private long pos;

  /**
   * The next lane offset to test; at least {@code pos - TAIL} (a test the last piece could not do).
   */
  private long next;

  /** The block whose phase was drawn last, and that phase. */
  private long block = -1;

  private int phase;

  /** The last {@code tailLen} bytes of the lane, and the raw offset of the piece of each. */
  private final byte[] tail = new byte[TAIL];

  private final long[] tailRaw = new long[TAIL];
  private int tailLen;

  private long pieceRaw;

  /** The segment in progress: its lane offset (-1: none), its raw offset, bytes still to hash. */
  private final ChunkHash hash = new ChunkHash();

  private long segmentStart = -1;
  private long segmentRaw;
  private int segmentLeft;

  /** The current match: its index in the matcher, lane end, file and displacement. */
  private int current = -1;

  private long currentEnd;
  private SourceFile currentFile;
  private long currentShift;

  AnchorLane(
      String name,
      boolean exact,
      FingerprintIndex index,
      AnchorSampling sampling,
      FingerprintMatcher matcher) {
    this.name = name;
    this.exact = exact;
    this.index = index;
    this.matcher = matcher;
    AnchorParams params = (AnchorParams) index.scheme();
    this.seed = params.seed();
    this.params = params;
    this.topBits = -1L << (64 - params.anchorBits());
    this.segment = params.segment();
    this.stride = sampling.stride();
    this.strideBits = Integer.numberOfTrailingZeros(stride);
    this.phases = sampling.seed() ^ ((long) name.hashCode() << 32);
    this.next = tested(0);
  }

  @Override
  public void accept(byte[] b, int off, int len, long rawStart) {
    if (len <= 0) {
      return;
    }
    pieceRaw = rawStart;
    long end = pos + len;
    long at = pos;
    while (true) {
      if (segmentStart >= 0) {
        at = hashSegment(b, off, end, at);
        if (segmentStart >= 0) {
          break; // the piece ended inside the segment
        }
      }
      if (next < pos) {
        if (!testTail(b, off, len)) {
          break; // too few bytes yet
        }
        continue;
      }
      if (!scan(b, off, end)) {
        break;
      }
      at = segmentStart;
    }
    keepTail(b, off, len);
    pos = end;
  }

  /**
   * Tests the offsets from {@link #next} on, within the piece, until an anchor (its segment then in
   * progress: true) or the last offset whose eight bytes are all in the piece (false).
   */
  private boolean scan(byte[] b, int off, long end) {
    long limit = end - TAIL;
    long base = off - pos;
    while (next < limit) {
      long blockEnd = (block + 1) << BLOCK_SHIFT;
      long stop = Math.min(limit, blockEnd);
      int i = (int) (next + base);
      int stopAt = (int) (stop + base);
      i = stride == 8 ? find8(b, i, stopAt) : find(b, i, stopAt);
      if (i < stopAt) {
        startSegment(i - base, exact ? i - base : pieceRaw);
        return true;
      }
      long q = i - base;
      next = q < blockEnd ? q : tested(blockEnd);
    }
    return false;
  }

  /**
   * The first anchor at {@code i, i + stride, ...} before {@code end}, or the first tested index at
   * or after {@code end} when there is none.
   */
  private int find(byte[] b, int i, int end) {
    long x = seed;
    long m = topBits;
    int step = stride;
    for (; i < end; i += step) {
      if ((((long) LONGS.get(b, i) ^ x) * AnchorParams.MULTIPLIER & m) == 0) {
        return i;
      }
    }
    return i;
  }

  /**
   * {@link #find} with the default stride as a constant, which the JIT unrolls (a mask test, not a
   * shift: one operation fewer a test, about 0.063 against 0.068 to 0.108 ns a byte measured).
   */
  private int find8(byte[] b, int i, int end) {
    long x = seed;
    long m = topBits;
    for (; i < end; i += 8) {
      if ((((long) LONGS.get(b, i) ^ x) * AnchorParams.MULTIPLIER & m) == 0) {
        return i;
      }
    }
    return i;
  }

  /** Tests the pending offsets that straddle the tail and this piece; false if too few bytes. */
  private boolean testTail(byte[] b, int off, int len) {
    while (next < pos && segmentStart < 0) {
      int fromTail = (int) (pos - next);
      if (len < 8 - fromTail) {
        return false;
      }
      long word = 0;
      for (int j = 0; j < 8; j++) {
        int v = j < fromTail ? tail[tailLen - fromTail + j] : b[off + j - fromTail];
        word |= (v & 0xFFL) << (8 * j);
      }
      if (params.isAnchor(word)) {
        startSegment(next, exact ? next : tailRaw[tailLen - fromTail]);
        hash.update(tail, tailLen - fromTail, fromTail);
        segmentLeft -= fromTail;
      } else {
        next = tested(next + 1);
      }
    }
    return true;
  }

  private void startSegment(long start, long raw) {
    segmentStart = start;
    segmentRaw = raw;
    segmentLeft = segment;
    hash.reset();
  }

  /**
   * Hashes the segment's bytes of this piece from lane offset {@code at}; when it is complete looks
   * it up and moves {@link #next} past it. Returns the lane offset it stopped at.
   */
  private long hashSegment(byte[] b, int off, long end, long at) {
    long from = Math.max(at, pos);
    int n = (int) Math.min(segmentLeft, end - from);
    hash.update(b, off + (int) (from - pos), n);
    segmentLeft -= n;
    if (segmentLeft == 0) {
      long start = segmentStart;
      segmentStart = -1;
      lookUp(start, segmentRaw, hash.finish());
      next = tested(start + segment);
    }
    return from + n;
  }

  private void lookUp(long start, long raw, long fingerprint) {
    int entry = index.find(fingerprint);
    if (entry < 0) {
      return;
    }
    SourceFile file = index.file(entry);
    long sourceOffset = index.offset(entry);
    long displacement = start - sourceOffset;
    long segmentEnd = start + segment;
    if (current >= 0 && file == currentFile && displacement == currentShift) {
      matcher.extend(current, segmentEnd - currentEnd);
    } else {
      current = matcher.found(new Match(name, raw, segment, file, sourceOffset));
      currentFile = file;
      currentShift = displacement;
    }
    currentEnd = segmentEnd;
  }

  /** The smallest offset at or after {@code p} that the sampling tests. */
  private long tested(long p) {
    while (true) {
      long b = p >>> BLOCK_SHIFT;
      if (b != block) {
        block = b;
        phase = strideBits == 0 ? 0 : (int) (nextPhaseBits() >>> (64 - strideBits));
      }
      long first = (b << BLOCK_SHIFT) + phase;
      long q = p <= first ? first : first + ((p - first + stride - 1) & -stride);
      if (q < (b + 1) << BLOCK_SHIFT) {
        return q;
      }
      p = (b + 1) << BLOCK_SHIFT;
    }
  }

  private long nextPhaseBits() {
    long z = (phases += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void keepTail(byte[] b, int off, int len) {
    if (len >= TAIL) {
      System.arraycopy(b, off + len - TAIL, tail, 0, TAIL);
      if (!exact) {
        java.util.Arrays.fill(tailRaw, pieceRaw);
      }
      tailLen = TAIL;
      return;
    }
    int keep = Math.min(tailLen, TAIL - len);
    System.arraycopy(tail, tailLen - keep, tail, 0, keep);
    System.arraycopy(tailRaw, tailLen - keep, tailRaw, 0, keep);
    System.arraycopy(b, off, tail, keep, len);
    java.util.Arrays.fill(tailRaw, keep, keep + len, pieceRaw);
    tailLen = keep + len;
  }

  @Override
  public void end() {
    // a segment cut by the end of the stream is not looked up: the index holds whole segments only
    segmentStart = -1;
  }
}
