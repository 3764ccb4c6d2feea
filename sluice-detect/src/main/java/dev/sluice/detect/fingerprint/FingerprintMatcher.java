package dev.sluice.detect.fingerprint;

import dev.sluice.detect.decode.Base64Decoder;
import dev.sluice.detect.decode.ByteSink;
import dev.sluice.detect.decode.ContentEncodings;
import dev.sluice.detect.decode.Decoder;
import dev.sluice.detect.decode.ExpansionLimit;
import dev.sluice.detect.decode.Fanout;
import dev.sluice.detect.decode.HexDecoder;
import dev.sluice.detect.decode.TextDecoders;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Finds indexed weights in one stream fed in arbitrary pieces, as a network stage sees it. The
 * stream is looked at on several lanes at once, each matched against the index in the index's
 * scheme: for an index of anchored segments ({@link AnchorParams}, the default) an {@link
 * AnchorLane} tests the offsets an {@link AnchorSampling} picks for anchors and looks up the
 * segment after each one; for an index of content-defined chunks ({@link ChunkParams}, version 1) a
 * {@link MatchLane} chunks the lane and looks up every chunk. The lanes:
 *
 * <ul>
 *   <li>{@code raw}: the bytes as they came. Plain archives need nothing more: a tar or stored zip
 *       keeps each entry's bytes contiguous, and the chunker re-synchronises after every header.
 *   <li>{@code base64}, {@code hex}, {@code hex-odd}: the runs of base64 or hex characters decoded
 *       ({@link Base64Decoder}, {@link HexDecoder} at both nibble phases) behind one pass that
 *       looks for runs of 64 characters or more ({@link TextDecoders}): text, binary and compressed
 *       data (short runs) are read once and never decoded.
 *   <li>with a {@code Content-Encoding} (gzip, deflate, zstd, br; {@link ContentEncodings}): the
 *       same three text lanes and a plain lane on the decoded body (named e.g. {@code gzip}, {@code
 *       gzip+base64}), the raw lane staying on the wire bytes, so a body mislabelled as compressed
 *       is still seen.
 * </ul>
 *
 * <p>State is bounded: per lane a few numbers (an anchor lane also its last seven bytes), the text
 * decoders' 8 KiB output buffers (about 25 KiB per stream in all) and, with a content encoding,
 * that decoder's buffers and window (deflate 48 KiB, zstd 128 KiB plus a window of at most 128 MiB,
 * brotli at most 16 MiB, as the sender chose); at most {@link #MAX_MATCHES} matches are kept (the
 * count goes on). A match is reported to the listener as soon as its first segment (or chunk) is
 * looked up, with the stream offset where that segment started, so a stage that holds back {@link
 * IndexScheme#maxSpan()} bytes of the lane can stop the stream before the segment leaves. Never
 * throws on its input: a decoding that fails (corrupt, or a decompression bomb past the {@link
 * ExpansionLimit}) stops and is reported by {@link #decodeFailure()}. Not thread-safe: one matcher
 * per stream.
 */
public final class FingerprintMatcher {

  /** Matches kept per stream. */
  public static final int MAX_MATCHES = 256;

  /** Base64 or hex runs shorter than this many characters are not decoded. */
  public static final int MIN_TEXT_RUN = 64;

  /** Told of each new match as soon as its first segment or chunk is looked up. */
  @FunctionalInterface
  public interface Listener {
    void matched(Match match);
  }

  private final FingerprintIndex index;
  private final AnchorSampling sampling;
  private final Listener listener;
  private final ByteSink entry;
  private final Decoder contentDecoder;
  private final List<Match> matches = new ArrayList<>();
  private long matchCount;
  private long position;

  private FingerprintMatcher(
      FingerprintIndex index,
      String contentEncoding,
      boolean text,
      ExpansionLimit limit,
      AnchorSampling sampling,
      Listener listener) {
    this.index = Objects.requireNonNull(index, "index");
    this.sampling = Objects.requireNonNull(sampling, "sampling");
    this.listener = Objects.requireNonNull(listener, "listener");
    List<ByteSink> wire = new ArrayList<>();
    wire.add(lane("raw", true));
    List<ByteSink> decoded = new ArrayList<>();
    String prefix = "";
    if (ContentEncodings.isEncoded(contentEncoding)) {
      prefix = contentEncoding.replace(" ", "").replace(',', '+') + "+";
      decoded.add(lane(prefix.substring(0, prefix.length() - 1), false));
    }
    if (text) {
      decoded.add(
          new TextDecoders(
              lane(prefix + "base64", false),
              lane(prefix + "hex", false),
              lane(prefix + "hex-odd", false),
              MIN_TEXT_RUN));
    }
    if (ContentEncodings.isEncoded(contentEncoding)) {
      contentDecoder = ContentEncodings.decoder(contentEncoding, new Fanout(decoded), limit);
      wire.add(contentDecoder);
    } else {
      contentDecoder = null;
      wire.addAll(decoded);
    }
    this.entry = wire.size() == 1 ? wire.get(0) : new Fanout(wire);
  }

  /** A matcher of a plain stream on every lane, testing every offset for anchors. */
  public static FingerprintMatcher of(FingerprintIndex index, Listener listener) {
    return of(index, AnchorSampling.EVERY_OFFSET, listener);
  }

  /** A matcher of a plain stream on every lane, testing the offsets {@code sampling} picks. */
  public static FingerprintMatcher of(
      FingerprintIndex index, AnchorSampling sampling, Listener listener) {
    return new FingerprintMatcher(index, null, true, ExpansionLimit.DEFAULT, sampling, listener);
  }

  /**
   * A matcher of a body with the given {@code Content-Encoding} (null or empty: none), testing
   * every offset for anchors.
   */
  public static FingerprintMatcher forBody(
      FingerprintIndex index, String contentEncoding, ExpansionLimit limit, Listener listener) {
    return forBody(index, contentEncoding, limit, AnchorSampling.EVERY_OFFSET, listener);
  }

  /** A matcher of a body, testing the offsets {@code sampling} picks (the gateway's). */
  public static FingerprintMatcher forBody(
      FingerprintIndex index,
      String contentEncoding,
      ExpansionLimit limit,
      AnchorSampling sampling,
      Listener listener) {
    return new FingerprintMatcher(index, contentEncoding, true, limit, sampling, listener);
  }

  /** A matcher of the raw lane only (no decodings): the cheapest scan. */
  public static FingerprintMatcher rawOnly(
      FingerprintIndex index, AnchorSampling sampling, Listener listener) {
    return new FingerprintMatcher(index, null, false, ExpansionLimit.DEFAULT, sampling, listener);
  }

  /** A lane of the index's scheme. */
  private ByteSink lane(String name, boolean exact) {
    if (index.scheme() instanceof AnchorParams) {
      return new AnchorLane(name, exact, index, sampling, this);
    }
    return new MatchLane(name, exact, index, this);
  }

  /** The next {@code len} bytes of the stream. */
  public void feed(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    entry.accept(b, off, len, position);
    position += len;
  }

  /** The stream ended: a version 1 index's last chunks are looked up. */
  public void end() {
    entry.end();
  }

  /** Bytes fed so far. */
  public long position() {
    return position;
  }

  /** The matches so far, at most {@link #MAX_MATCHES}, each extended while its run went on. */
  public List<Match> matches() {
    return Collections.unmodifiableList(matches);
  }

  /** Every match started so far, including those past {@link #MAX_MATCHES}. */
  public long matchCount() {
    return matchCount;
  }

  /** Why the content decoding stopped, or null. */
  public String decodeFailure() {
    return contentDecoder == null ? null : contentDecoder.failure();
  }

  int found(Match match) {
    matchCount++;
    listener.matched(match);
    if (matches.size() < MAX_MATCHES) {
      matches.add(match);
      return matches.size() - 1;
    }
    return -1;
  }

  void extend(int which, long more) {
    if (which >= 0) {
      matches.set(which, matches.get(which).extend(more));
    }
  }
}
