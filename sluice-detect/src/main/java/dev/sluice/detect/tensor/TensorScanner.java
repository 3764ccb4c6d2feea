package dev.sluice.detect.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The tensor detector over a stream that arrives in pieces, with bounded state: one window of
 * {@code window} bytes. Pieces are copied into the window; each time it fills, the window is
 * scanned ({@link TensorDetector#scan(byte[], int, int, long)}) and emptied, so a finding is known
 * at most {@code window} bytes after its first byte arrived. {@link #finish()} scans what is left.
 * Findings carry stream positions; a region spanning several windows is reported once per window
 * (adjacent findings, which {@link #drain()} merges when they are drained together). Not
 * thread-safe.
 *
 * <p>Judged in place: when a piece completes a block of the window ({@link TensorDetector#BLOCK}
 * bytes on the window's block grid) that it holds whole, or whose head of at least 4 KiB is in the
 * window already (a shorter head is first topped up to 4 KiB), the block is glanced at where it
 * lies ({@link Glance#mayMatter}, over both parts) and, when it shows no floats and no encoded text
 * and neither of its end pieces can look like weights ({@link Glance#closed}), the rest of it is
 * not copied: the window's scan skips the block and extends no region into it, which is what the
 * scan would have found had it been copied. A block of ordinary bytes so costs the glance, the
 * proof and the copy of what of it came before the piece that completes it (nothing for a file read
 * in 1 MiB pieces, half a block on average for a socket's 64 KiB reads). One difference, after
 * {@link #finish()} only: a window after a short one does not reach back into a block skipped in
 * place.
 */
public final class TensorScanner {
  /** The default window: the slice size the detector's targets are measured on. */
  public static final int DEFAULT_WINDOW = 128 * 1024;

  /** Bytes of the previous window a region may reach back into. */
  static final int CARRY = TensorDetector.BLOCK;

  private final TensorDetector detector;
  private byte[] buffer;
  private final int window;
  private final SplittableRandom random;

  /** Blocks of the current window skipped in place (their bytes in the buffer are stale). */
  private final boolean[] skipped;

  private int carried;
  private long copied;
  private int filled;
  private long position;
  private long reportedEnd;
  private final List<TensorFinding> pending = new ArrayList<>();

  /** A scanner of the default window whose glances are at places no sender can predict. */
  public TensorScanner() {
    this(DEFAULT_WINDOW, new SplittableRandom());
  }

  /**
   * @param window bytes judged together, at least {@link TensorDetector#MIN_BYTES}
   * @param random where the detector glances at each block ({@link TensorDetector#TensorDetector})
   */
  public TensorScanner(int window, SplittableRandom random) {
    if (window < TensorDetector.MIN_BYTES) {
      throw new IllegalArgumentException(
          "window " + window + " is below " + TensorDetector.MIN_BYTES + " bytes");
    }
    this.window = window;
    this.random = random;
    this.detector = new TensorDetector(random);
    this.skipped = new boolean[window / TensorDetector.BLOCK + 1];
    this.buffer = new byte[0];
  }

  /** Adds {@code len} bytes of {@code b} from {@code off}, scanning each window that fills. */
  public void update(byte[] b, int off, int len) {
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " of " + b.length);
    }
    int block = TensorDetector.BLOCK;
    while (len > 0) {
      int head = filled % block;
      int rest = block - head;
      if (head == 0 && len >= block && wholeBlock(filled) && skip(b, off)) {
        skipped[filled / block] = true;
        filled += block;
        off += block;
        len -= block;
      } else if (head >= Trim.PIECE
          && rest >= Trim.PIECE
          && len >= rest
          && wholeBlock(filled - head)
          && skipSplit(head, b, off)) {
        // the head was copied as it came; the rest, in this piece, is not
        skipped[filled / block] = true;
        filled += rest;
        off += rest;
        len -= rest;
      } else {
        // copied up to the next block boundary at most, where a piece may be judged in place
        int n = Math.min(len, Math.min(window, (filled / block + 1) * block) - filled);
        if (head > 0 && head < Trim.PIECE && len >= rest && rest - Trim.PIECE >= Trim.PIECE) {
          n = Trim.PIECE - head; // the block's first piece whole in the window, then the above
        }
        ensure(CARRY + filled + n);
        System.arraycopy(b, off, buffer, CARRY + filled, n);
        copied += n;
        filled += n;
        off += n;
        len -= n;
      }
      if (filled == window) {
        scanWindow();
      }
    }
  }

  /**
   * Grows the buffer to hold {@code size} bytes (at most the carry and a window): a short stream (a
   * small response body) does not pay for a whole window.
   */
  private void ensure(int size) {
    if (buffer.length < size) {
      int grown = Math.max(size, Math.min(CARRY + window, 2 * buffer.length));
      buffer = java.util.Arrays.copyOf(buffer, Math.min(CARRY + window, grown));
    }
  }

  /**
   * As {@link #skip} for the block whose first {@code head} bytes are in the window and whose rest
   * is {@code b[off, ...)}: both end pieces lie wholly in one part.
   */
  private boolean skipSplit(int head, byte[] b, int off) {
    int block = TensorDetector.BLOCK;
    long at = position + filled - head;
    int from = CARRY + filled - head;
    int last = block - Trim.PIECE;
    return !Glance.mayMatter(buffer, from, head, b, off, block, at, random)
        && Glance.closed(buffer, from, at)
        && Glance.closed(b, off + last - head, at + last);
  }

  /** True when {@code [at, at + BLOCK)} of a full window is one of the blocks its scan judges. */
  private boolean wholeBlock(int at) {
    int rest = window - at - TensorDetector.BLOCK;
    return rest == 0 || rest >= TensorDetector.MIN_BYTES;
  }

  /** True when the block {@code b[off, off + BLOCK)} need not be copied ({@link TensorScanner}). */
  private boolean skip(byte[] b, int off) {
    int block = TensorDetector.BLOCK;
    long at = position + filled;
    int last = block - Trim.PIECE;
    return !Glance.mayMatter(b, off, block, at, random)
        && Glance.closed(b, off, at)
        && Glance.closed(b, off + last, at + last);
  }

  /** Scans the bytes not yet scanned (judged only if at least {@link TensorDetector#MIN_BYTES}). */
  public void finish() {
    if (position == 0 && filled < TensorDetector.MIN_BYTES) {
      position += filled; // a stream this short is not judged: nothing to look back to either
      filled = 0;
      return;
    }
    if (filled > 0) {
      scanWindow();
    }
  }

  /** Bytes of the stream copied into the window so far (the others were judged in place). */
  long bytesCopied() {
    return copied;
  }

  /** Stream position of the next byte to arrive. */
  public long position() {
    return position + filled;
  }

  /** The findings since the last drain, in stream order, adjacent ones merged. */
  public List<TensorFinding> drain() {
    List<TensorFinding> out = new ArrayList<>();
    for (TensorFinding f : pending) {
      TensorFinding last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null
          && last.end() == f.offset()
          && last.dtype() == f.dtype()
          && last.carrier() == f.carrier()) {
        out.set(
            out.size() - 1,
            new TensorFinding(last.offset(), f.end() - last.offset(), f.dtype(), f.carrier()));
      } else {
        out.add(f);
      }
    }
    pending.clear();
    return out;
  }

  private void scanWindow() {
    ensure(CARRY + filled);
    long reachable = Math.max(position - carried, reportedEnd);
    int lookBack = CARRY - (int) (position - reachable);
    for (TensorFinding f : detector.scan(buffer, lookBack, CARRY, filled, position, skipped)) {
      pending.add(f);
      reportedEnd = Math.max(reportedEnd, f.end());
    }
    position += filled;
    // the carry: the last CARRY bytes scanned, moved to the front, but none of a block skipped in
    // place (its last piece is closed, so nothing reaches back across it, and its bytes are stale)
    int keep = Math.min(CARRY, carried + filled);
    int block = TensorDetector.BLOCK;
    int blocks = filled / block + (filled % block >= TensorDetector.MIN_BYTES ? 1 : 0);
    for (int k = 0; k < skipped.length; k++) {
      if (skipped[k]) {
        // the last block of the scan takes a short tail along: then nothing is kept
        keep = k >= blocks - 1 ? 0 : Math.min(keep, filled - (k + 1) * block);
        skipped[k] = false;
      }
    }
    System.arraycopy(buffer, CARRY + filled - keep, buffer, CARRY - keep, keep);
    carried = keep;
    filled = 0;
  }
}
