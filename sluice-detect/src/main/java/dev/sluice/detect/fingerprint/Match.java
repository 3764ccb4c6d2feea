package dev.sluice.detect.fingerprint;

/**
 * Indexed weights found in a stream: {@code length} bytes of {@code file} from {@code
 * sourceOffset}, seen on {@code lane} (the bytes as they came, or a decoding of them).
 *
 * @param lane {@code raw}, or the decodings applied, e.g. {@code gzip+base64}
 * @param streamOffset where in the stream the first matched chunk started: exact on the raw lane,
 *     on a decoded lane the start of the input piece its first decoded byte came from (a lower
 *     bound, so stopping the stream there stops the chunk)
 * @param length bytes matched, counted on the lane (decoded bytes on a decoded lane)
 * @param file the indexed file they are from
 * @param sourceOffset their offset in that file
 */
public record Match(
    String lane, long streamOffset, long length, SourceFile file, long sourceOffset) {

  Match extend(long more) {
    return new Match(lane, streamOffset, length + more, file, sourceOffset);
  }
}
