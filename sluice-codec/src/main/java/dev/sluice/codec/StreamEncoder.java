package dev.sluice.codec;

import com.github.luben.zstd.Zstd;
import java.util.Arrays;
import java.util.Objects;

/**
 * Compresses one egress stream (the bytes a gateway writes toward the edge for one carried
 * connection) into <em>segments</em> ({@link Segment} has the layout). Bytes are written with
 * {@link #write}; {@link #flush} ends the current segment and returns it. A {@link StreamDecoder}
 * with the same model, given the segments in order, returns exactly the bytes written. Model state
 * carries over from one segment to the next, so many small segments cost little more than one big
 * one, but every segment does cost a few bytes: flush when the bytes must leave, not after every
 * write.
 *
 * <p>How: the input is cut into SSE events ({@link SseEvents}); an event (or JSON body) with a
 * {@code "content"} string, and short text pieces without one, are coded with the stream's
 * context-mixing models ({@link PieceCoder}); anything else (binary data, pieces over 64 KiB) goes
 * through zstd with the model's dictionary, or is stored when zstd would not make it smaller. A
 * segment that codes larger than it is is stored, so no segment is larger than {@link
 * #maxSegmentSize(int)}: incompressible input grows by at most 5 bytes per segment.
 *
 * <p>Never throws on any input. One instance per stream; not thread-safe.
 */
public final class StreamEncoder {

  /** Most input bytes in one segment. */
  public static final int MAX_SEGMENT_INPUT = 512 << 10;

  private static final int MAX_PLAIN_PIECE = 4 << 10;

  private final CodecModel model;
  private final SseEvents splitter;
  private PieceCoder coder;
  private final ArithmeticEncoder arith = new ArithmeticEncoder(null);

  /** The current segment's input, cut into pieces. */
  private byte[] raw = new byte[4096];

  private int rawLen;
  private int[] pieceEnd = new int[64];
  private long[] content = new long[64];
  private int pieces;
  private int pending;
  private long rawBytes;
  private long codedBytes;

  public StreamEncoder(CodecModel model) {
    this.model = Objects.requireNonNull(model, "model");
    this.splitter = new SseEvents(this::piece, PieceCoder.MAX_PIECE);
  }

  /** The largest segment {@code input} bytes of input can become. */
  public static int maxSegmentSize(int input) {
    return input + input / 256 + 16;
  }

  /**
   * Takes up to {@code len} bytes into the current segment.
   *
   * @return how many were taken: fewer than {@code len} when the segment is full; flush, then write
   *     the rest
   */
  public int write(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int n = Math.min(len, MAX_SEGMENT_INPUT - pending);
    if (n > 0) {
      splitter.feed(b, off, n);
      pending += n;
      rawBytes += n;
    }
    return n;
  }

  /** Input bytes taken into the current segment and not yet flushed. */
  public int pendingBytes() {
    return pending;
  }

  /**
   * Ends the current segment and returns it; an empty array when nothing was written since the last
   * flush (send nothing then).
   */
  public byte[] flush() {
    if (pending == 0) {
      return new byte[0];
    }
    splitter.drain();
    if (content.length < pieces) {
      content = new long[pieceEnd.length];
    }
    for (int k = 0; k < pieces; k++) {
      int s = pieceStart(k);
      content[k] = ContentString.find(raw, s, pieceEnd[k] - s);
    }
    ByteBuf out = new ByteBuf(rawLen / 4 + 64);
    out.varint(rawLen);
    out.put(Segment.BLOCKS);
    int start = 0;
    int i = 0;
    while (i < pieces) {
      int j = i;
      boolean cm = codable(i);
      while (j < pieces && codable(j) == cm) {
        j++;
      }
      if (cm) {
        cmBlock(out, i, j, j == pieces);
      } else {
        genericBlock(out, start, pieceEnd[j - 1], j == pieces);
      }
      start = pieceEnd[j - 1];
      i = j;
    }
    if (out.n > rawLen + 4) {
      // Coded larger than it is: send it as it is. The models have learnt from it already; the
      // decoder replays it through its own to stay in step.
      out.n = 0;
      out.varint(rawLen);
      out.put(Segment.STORED_SEGMENT);
      out.put(raw, 0, rawLen);
    }
    byte[] seg = out.toArray();
    codedBytes += seg.length;
    rawLen = 0;
    pieces = 0;
    pending = 0;
    return seg;
  }

  /** Input bytes written so far. */
  public long rawBytes() {
    return rawBytes;
  }

  /** Segment bytes returned so far. */
  public long codedBytes() {
    return codedBytes;
  }

  private void piece(SseEvents.Kind kind, byte[] b, int off, int len) {
    if (rawLen + len > raw.length) {
      raw = Arrays.copyOf(raw, Math.max(rawLen + len, raw.length * 2));
    }
    System.arraycopy(b, off, raw, rawLen, len);
    rawLen += len;
    if (pieces == pieceEnd.length) {
      pieceEnd = Arrays.copyOf(pieceEnd, pieces * 2);
      content = Arrays.copyOf(content, pieces * 2);
    }
    pieceEnd[pieces++] = rawLen;
  }

  private int pieceStart(int i) {
    return i == 0 ? 0 : pieceEnd[i - 1];
  }

  private boolean codable(int i) {
    int s = pieceStart(i);
    return codable(raw, s, pieceEnd[i] - s, content[i]);
  }

  /**
   * Whether a piece goes through the models: it has content ({@code content}, its {@link
   * ContentString#find} result), or is short plain text.
   */
  static boolean codable(byte[] raw, int s, int len, long content) {
    if (len > PieceCoder.MAX_PIECE) {
      return false;
    }
    if (content >= 0) {
      return true;
    }
    if (len > MAX_PLAIN_PIECE) {
      return false;
    }
    for (int k = s; k < s + len; k++) {
      int c = raw[k] & 0xFF;
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
        return false;
      }
    }
    return true;
  }

  private void cmBlock(ByteBuf out, int from, int to, boolean last) {
    if (coder == null) {
      coder = new PieceCoder(model);
    }
    int blockLen = pieceEnd[to - 1] - pieceStart(from);
    ByteBuf code = new ByteBuf(blockLen / 8 + 16);
    arith.start(code);
    try {
      codePieces(arith, raw, from, to);
    } catch (CodecFormatException e) {
      throw new IllegalStateException("the encoder rejected its own input", e);
    }
    arith.finish();
    arith.start(null);
    if (last) {
      out.put(Segment.CM | Segment.LAST);
      out.varint(to - from);
    } else {
      out.put(Segment.CM);
      out.varint(blockLen);
      out.varint(to - from);
      out.varint(code.n);
    }
    out.put(code.a, 0, code.n);
  }

  /** Codes (or replays) pieces {@code from..to-1} whose ends are in {@link #pieceEnd}. */
  private void codePieces(BitCoding c, byte[] buf, int from, int to) throws CodecFormatException {
    codePieces(coder, c, buf, pieceEnd, content, from, to);
  }

  /**
   * Codes (or replays) pieces {@code from..to-1} of {@code buf}, whose ends and {@link
   * ContentString#find} results are given.
   */
  static void codePieces(
      PieceCoder coder, BitCoding c, byte[] buf, int[] ends, long[] contents, int from, int to)
      throws CodecFormatException {
    int s = from == 0 ? 0 : ends[from - 1];
    for (int k = from; k < to; k++) {
      int e = ends[k];
      int nextFirst = -1;
      if (k + 1 < to) {
        long next = contents[k + 1];
        if (next >= 0 && (int) (next >>> 32) < (int) next) {
          nextFirst = buf[(int) (next >>> 32)] & 0xFF;
        }
      }
      coder.code(c, buf, s, e - s, contents[k], nextFirst, PieceCoder.DISCARD);
      s = e;
    }
  }

  /** Where the pieces of a whole stream end, cut as the encoder cuts them (one segment). */
  static int[] pieceEnds(byte[] stream) {
    int[][] ends = {new int[64]};
    int[] count = {0};
    int[] fed = {0};
    SseEvents split =
        new SseEvents(
            (kind, b, off, len) -> {
              fed[0] += len;
              if (count[0] == ends[0].length) {
                ends[0] = Arrays.copyOf(ends[0], count[0] * 2);
              }
              ends[0][count[0]++] = fed[0];
            },
            PieceCoder.MAX_PIECE);
    split.feed(stream);
    split.finish();
    return Arrays.copyOf(ends[0], count[0]);
  }

  /** {@link ContentString#find} of each piece. */
  static long[] contents(byte[] buf, int[] ends, int count) {
    long[] out = new long[count];
    int s = 0;
    for (int k = 0; k < count; k++) {
      out[k] = ContentString.find(buf, s, ends[k] - s);
      s = ends[k];
    }
    return out;
  }

  private void genericBlock(ByteBuf out, int start, int end, boolean last) {
    int len = end - start;
    byte[] src = Arrays.copyOfRange(raw, start, end);
    byte[] z = null;
    try {
      z =
          model.dictCompress() != null
              ? Zstd.compress(src, model.dictCompress())
              : Zstd.compress(src, CodecModel.GENERIC_LEVEL);
    } catch (RuntimeException e) {
      z = null; // stored below: compression is an optimisation, never a reason to fail
    }
    if (z != null && z.length + 4 < len) {
      if (last) {
        out.put(Segment.ZSTD | Segment.LAST);
      } else {
        out.put(Segment.ZSTD);
        out.varint(len);
        out.varint(z.length);
      }
      out.put(z, 0, z.length);
    } else {
      if (last) {
        out.put(Segment.STORED | Segment.LAST);
      } else {
        out.put(Segment.STORED);
        out.varint(len);
      }
      out.put(src, 0, len);
    }
  }
}
