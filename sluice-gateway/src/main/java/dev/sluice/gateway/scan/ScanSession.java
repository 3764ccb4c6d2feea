package dev.sluice.gateway.scan;

import dev.sluice.detect.decode.ExpansionLimit;
import dev.sluice.detect.fingerprint.AnchorSampling;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintMatcher;
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
      if (tensors != null && !tensorFound) {
        tensors.update(a, off, len);
        drainTensors();
      }
      position = Math.addExact(position, len);
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
      if (tensors != null && !tensorFound) {
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
