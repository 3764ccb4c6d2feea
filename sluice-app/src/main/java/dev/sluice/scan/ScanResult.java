package dev.sluice.scan;

import dev.sluice.detect.fingerprint.Match;
import java.util.List;

/**
 * What scanning one stream found.
 *
 * @param bytes bytes of the stream (the file as stored)
 * @param encoding {@code gzip} or {@code zstd} when the stream was decoded by its magic number,
 *     else null
 * @param matches fingerprint matches, at most {@link
 *     dev.sluice.detect.fingerprint.FingerprintMatcher#MAX_MATCHES}
 * @param matchCount every match, also those past the kept ones
 * @param tensors tensor regions, adjacent ones merged, at most {@link StreamScan#MAX_TENSOR_HITS}
 * @param tensorCount regions found, also those past the kept ones
 * @param decodeFailure why decoding the gzip or zstd stream stopped early, or null
 */
public record ScanResult(
    long bytes,
    String encoding,
    List<Match> matches,
    long matchCount,
    List<TensorHit> tensors,
    long tensorCount,
    String decodeFailure) {

  public ScanResult {
    matches = List.copyOf(matches);
    tensors = List.copyOf(tensors);
  }

  /** True when anything was found: the verdict {@code weights}. */
  public boolean weights() {
    return matchCount > 0 || tensorCount > 0;
  }
}
