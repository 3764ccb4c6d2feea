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
 */
public final class TensorScanner {
  /** The default window: the slice size the detector's targets are measured on. */
  public static final int DEFAULT_WINDOW = 128 * 1024;

  /** Bytes of the previous window a region may reach back into. */
  static final int CARRY = TensorDetector.BLOCK;

  private final TensorDetector detector;
  private final byte[] buffer;
  private final int window;
  private int carried;
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
    this.detector = new TensorDetector(random);
    this.buffer = new byte[CARRY + window];
  }

  /** Adds {@code len} bytes of {@code b} from {@code off}, scanning each window that fills. */
  public void update(byte[] b, int off, int len) {
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " of " + b.length);
    }
    while (len > 0) {
      int n = Math.min(len, window - filled);
      System.arraycopy(b, off, buffer, CARRY + filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == window) {
        scanWindow();
      }
    }
  }

  /** Scans the bytes not yet scanned (judged only if at least {@link TensorDetector#MIN_BYTES}). */
  public void finish() {
    if (filled > 0) {
      scanWindow();
    }
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
    long reachable = Math.max(position - carried, reportedEnd);
    int lookBack = CARRY - (int) (position - reachable);
    for (TensorFinding f : detector.scan(buffer, lookBack, CARRY, filled, position)) {
      pending.add(f);
      reportedEnd = Math.max(reportedEnd, f.end());
    }
    position += filled;
    // the carry: the last CARRY bytes scanned, moved to the front
    int keep = Math.min(CARRY, carried + filled);
    System.arraycopy(buffer, CARRY + filled - keep, buffer, CARRY - keep, keep);
    carried = keep;
    filled = 0;
  }
}
