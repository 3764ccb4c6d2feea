package dev.sluice.scan;

import dev.sluice.detect.decode.ByteSink;
import dev.sluice.detect.decode.ContentEncodings;
import dev.sluice.detect.decode.Decoder;
import dev.sluice.detect.decode.ExpansionLimit;
import dev.sluice.detect.fingerprint.FingerprintIndex;
import dev.sluice.detect.fingerprint.FingerprintMatcher;
import dev.sluice.detect.tensor.TensorFinding;
import dev.sluice.detect.tensor.TensorScanner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scans one stream fed in pieces, as {@code sluice scan} reads a file: the {@link
 * FingerprintMatcher} (when there is an index) and the {@link TensorScanner} (when tensors are on)
 * see every byte once, with bounded memory whatever the stream's length.
 *
 * <p>Lanes: the bytes as they are ({@code raw}); the matcher also decodes base64 and hex runs and
 * sees through plain archives (tar, stored zip), the tensor detector judges base64 and hex runs
 * itself. A stream that starts with the gzip ({@code 1f 8b}) or zstd ({@code 28 b5 2f fd}) magic
 * number is also decoded, and both detectors see the decoded bytes (lane {@code gzip} or {@code
 * zstd}, offsets counted in the decoded bytes) as well as the raw ones, so a file whose decoding
 * fails part way is still scanned as it is. Offline, a decoding may expand up to {@link #LIMIT} (1
 * GiB, then a million times the input): an operator scanning a file wants it read to the end, and
 * the cost of a bomb is only time. Not thread-safe.
 */
public final class StreamScan {

  /** Tensor regions kept per stream (the count goes on). */
  public static final int MAX_TENSOR_HITS = 1024;

  /** How far an offline decoding may expand. */
  static final ExpansionLimit LIMIT = new ExpansionLimit(1 << 20, 1L << 30);

  private static final byte[] GZIP = {0x1f, (byte) 0x8b};
  private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

  private final FingerprintIndex index;
  private final boolean tensors;
  private final byte[] head = new byte[ZSTD.length];
  private int headLength;
  private boolean started;
  private long bytes;
  private String encoding;
  private FingerprintMatcher matcher;
  private TensorScanner rawTensors;
  private TensorScanner decodedTensors;
  private Decoder decoder;
  private final List<TensorHit> hits = new ArrayList<>();
  private long hitCount;
  private final Map<String, Integer> lastByLane = new HashMap<>();

  /**
   * @param index the fingerprint index, or null for no fingerprint matching
   * @param tensors whether the statistical tensor detector runs
   */
  public StreamScan(FingerprintIndex index, boolean tensors) {
    if (index == null && !tensors) {
      throw new IllegalArgumentException("nothing to scan with: no index and no tensor detector");
    }
    this.index = index;
    this.tensors = tensors;
  }

  /** The encoding a stream starting with {@code b[0, len)} is decoded with, or null. */
  public static String encodingOf(byte[] b, int len) {
    if (startsWith(b, len, ZSTD)) {
      return "zstd";
    }
    if (startsWith(b, len, GZIP)) {
      return "gzip";
    }
    return null;
  }

  private static boolean startsWith(byte[] b, int len, byte[] magic) {
    if (len < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (b[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** The next {@code len} bytes of the stream. */
  public void feed(byte[] b, int off, int len) {
    if (off < 0 || len < 0 || off > b.length - len) {
      throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " of " + b.length);
    }
    if (!started) {
      // the magic number decides the lanes: hold the first bytes until there are enough
      int n = Math.min(len, head.length - headLength);
      System.arraycopy(b, off, head, headLength, n);
      headLength += n;
      off += n;
      len -= n;
      if (headLength < head.length) {
        return;
      }
      start();
    }
    pass(b, off, len);
  }

  /** The stream ended: what is left is scanned; the result. */
  public ScanResult end() {
    if (!started) {
      start();
    }
    if (matcher != null) {
      matcher.end();
    }
    if (decoder != null) {
      decoder.end();
    }
    if (rawTensors != null) {
      rawTensors.finish();
      collect("raw", rawTensors);
    }
    String failure = matcher != null ? matcher.decodeFailure() : null;
    if (failure == null && decoder != null) {
      failure = decoder.failure();
    }
    return new ScanResult(
        bytes,
        encoding,
        matcher == null ? List.of() : matcher.matches(),
        matcher == null ? 0 : matcher.matchCount(),
        hits,
        hitCount,
        failure);
  }

  private void start() {
    started = true;
    encoding = encodingOf(head, headLength);
    if (index != null) {
      matcher = FingerprintMatcher.forBody(index, encoding, LIMIT, m -> {});
    }
    if (tensors) {
      rawTensors = new TensorScanner();
      if (encoding != null) {
        decodedTensors = new TensorScanner();
        decoder = ContentEncodings.decoder(encoding, new DecodedLane(), LIMIT);
      }
    }
    pass(head, 0, headLength);
  }

  private void pass(byte[] b, int off, int len) {
    if (len == 0) {
      return;
    }
    bytes += len;
    if (matcher != null) {
      matcher.feed(b, off, len);
    }
    if (rawTensors != null) {
      rawTensors.update(b, off, len);
      collect("raw", rawTensors);
    }
    if (decoder != null) {
      decoder.accept(b, off, len, bytes - len);
    }
  }

  private void collect(String lane, TensorScanner scanner) {
    for (TensorFinding f : scanner.drain()) {
      Integer at = lastByLane.get(lane);
      TensorHit last = at == null ? null : hits.get(at);
      if (last != null
          && last.end() == f.offset()
          && last.dtype() == f.dtype()
          && last.carrier() == f.carrier()) {
        // a region going on across windows: one hit
        hits.set(
            at,
            new TensorHit(lane, last.offset(), f.end() - last.offset(), f.dtype(), f.carrier()));
        continue;
      }
      hitCount++;
      if (hits.size() < MAX_TENSOR_HITS) {
        hits.add(new TensorHit(lane, f.offset(), f.length(), f.dtype(), f.carrier()));
        lastByLane.put(lane, hits.size() - 1);
      }
    }
  }

  /** The decoded bytes of a gzip or zstd stream, to the second tensor scanner. */
  private final class DecodedLane implements ByteSink {
    @Override
    public void accept(byte[] b, int off, int len, long rawStart) {
      decodedTensors.update(b, off, len);
      collect(encoding, decodedTensors);
    }

    @Override
    public void end() {
      decodedTensors.finish();
      collect(encoding, decodedTensors);
    }
  }
}
