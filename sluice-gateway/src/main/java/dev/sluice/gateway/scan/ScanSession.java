package dev.sluice.gateway.scan;

import dev.sluice.detect.decode.ExpansionLimit;
import dev.sluice.detect.fingerprint.AnchorSampling;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintMatcher;
import dev.sluice.detect.tensor.TensorDetector;
import dev.sluice.detect.tensor.TensorFinding;
import dev.sluice.detect.tensor.TensorScanner;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * The detectors of one stream (a response body, a request, one direction of a connection): the
 * {@link FingerprintMatcher} when the listener has an index, the {@link TensorScanner} when it has
 * {@code tensors: true}. Each kind reports its first finding only (one ledger entry per kind and
 * stream; a blocked stream ends anyway). Never throws on its input: a failure of a detector is
 * logged by the caller and ends the scan of the stream ({@link #failed()}). Not thread-safe: one
 * session per stream, on its event loop.
 */
final class ScanSession {

  private final FingerprintMatcher matcher;
  private final TensorScanner tensors;
  private final Queue<Finding> found = new ArrayDeque<>(2);
  private boolean matched;
  private boolean tensorFound;
  private byte[] scratch;

  /**
   * Two blocks of the tensor scanner's grid: the stream's newest bytes, with the tensor detector.
   */
  private static final int BLOCK = TensorDetector.BLOCK;

  private byte[] ring;
  private long position;
  private Throwable failure;

  /**
   * @param index the fingerprint index, or null
   * @param tensors whether the tensor detector runs
   * @param contentEncoding the body's {@code Content-Encoding} (null: none, or not a body)
   * @param anchorStride the matcher tests one offset in this many for an anchor, at random phases
   *     drawn for this stream
   */
  ScanSession(FingerprintIndex index, boolean tensors, String contentEncoding, int anchorStride) {
    this.matcher =
        index == null
            ? null
            : FingerprintMatcher.forBody(
                index,
                contentEncoding,
                ExpansionLimit.DEFAULT,
                AnchorSampling.random(anchorStride),
                m -> {
                  if (!matched) {
                    matched = true;
                    found.add(Finding.of(m));
                  }
                });
    this.tensors = tensors ? new TensorScanner() : null;
  }

  /** Scans the readable bytes of {@code buf} (its indexes are left alone). */
  void feed(ByteBuf buf) {
    int len = buf.readableBytes();
    if (len == 0 || failure != null) {
      return;
    }
    if (tensors != null) {
      staged(buf, len);
      return;
    }
    try {
      byte[] a;
      int off;
      if (buf.hasArray()) {
        a = buf.array();
        off = buf.arrayOffset() + buf.readerIndex();
      } else {
        if (scratch == null || scratch.length < len) {
          scratch = new byte[Math.max(len, 16 * 1024)];
        }
        buf.getBytes(buf.readerIndex(), scratch, 0, len);
        a = scratch;
        off = 0;
      }
      if (matcher != null && !matched) {
        matcher.feed(a, off, len);
      }
      position = Math.addExact(position, len);
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /**
   * Makes the ring hold {@code size} bytes: it starts at 4 KiB and doubles up to two blocks, so a
   * small response body does not pay for 128 KiB. While it is smaller than two blocks the stream
   * has not passed its end, so stream offsets index it as they index the full ring.
   */
  private void grow(int size) {
    if (ring == null || ring.length < size) {
      int n = ring == null ? 4096 : ring.length;
      while (n < size) {
        n *= 2;
      }
      ring = ring == null ? new byte[n] : java.util.Arrays.copyOf(ring, n);
    }
  }

  /**
   * With the tensor detector: the bytes are copied once, into {@link #ring} at their stream
   * position modulo two blocks, the matcher reads them there, and the tensor scanner is given each
   * block of its grid whole, where it lies, once the block is complete. A block the scanner skips
   * is then never copied again (it copies the head of a block that reaches it in two pieces, which
   * a socket's reads, off the grid, almost always are). Findings are as early: the scanner judges a
   * block when it is complete either way.
   */
  private void staged(ByteBuf buf, int len) {
    try {
      int from = buf.readerIndex();
      int left = len;
      while (left > 0) {
        int inBlock = (int) (position % BLOCK);
        int at = (int) (position % (2 * BLOCK));
        int n = Math.min(left, BLOCK - inBlock);
        grow(at + n);
        buf.getBytes(from, ring, at, n);
        if (matcher != null && !matched) {
          matcher.feed(ring, at, n);
        }
        position = Math.addExact(position, n);
        from += n;
        left -= n;
        if (inBlock + n == BLOCK && !tensorFound) {
          tensors.update(ring, at + n - BLOCK, BLOCK);
          drainTensors();
        }
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** The stream ended: the last chunk and window are judged. */
  void end() {
    if (failure != null) {
      return;
    }
    try {
      if (matcher != null && !matched) {
        matcher.end();
      }
      // a stream shorter than the tensor detector judges (a small response body) is not given to it
      if (tensors != null && !tensorFound && position >= TensorDetector.MIN_BYTES) {
        int rest = (int) (position % BLOCK);
        if (rest > 0) {
          tensors.update(ring, (int) ((position - rest) % (2 * BLOCK)), rest);
        }
        tensors.finish();
        drainTensors();
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  private void drainTensors() {
    for (TensorFinding t : tensors.drain()) {
      if (!tensorFound) {
        tensorFound = true;
        found.add(Finding.of(t));
      }
    }
  }

  /** The next finding not yet taken, or null. */
  Finding poll() {
    return found.poll();
  }

  /** Bytes scanned. */
  long position() {
    return position;
  }

  /** Why a detector failed (the scan of this stream stopped), or null. */
  Throwable failed() {
    return failure;
  }
}
