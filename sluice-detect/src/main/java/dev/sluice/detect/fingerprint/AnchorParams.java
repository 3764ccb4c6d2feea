package dev.sluice.detect.fingerprint;

/**
 * The parameters of anchored segments (index format version 2), which an index records and a
 * matcher must share.
 *
 * <p>A byte offset {@code p} of a stream is an <em>anchor</em> when the little-endian 64-bit word
 * of the eight bytes at {@code p}, XORed with {@code seed} and multiplied by a fixed odd constant
 * (Fibonacci hashing), has its top {@code anchorBits} bits zero: one offset in {@code 2^anchorBits}
 * on bytes that look random, decided by those eight bytes alone, so an anchor moves with the bytes
 * and a slice of the weights holds the same anchors wherever it starts. The index holds the {@link
 * ChunkHash} fingerprint of the {@code segment} bytes starting at every anchor of the tensor bytes;
 * a matcher tests some offsets of its stream for anchors ({@link AnchorSampling}) and looks up the
 * segment after each one it finds. The seed makes the all-zero word, and the word of any byte
 * repeated eight times, no anchor (checked here), so long runs of one byte (padding, zeroed
 * buffers) cost a matcher nothing.
 *
 * @param anchorBits bits of the hash that must be zero, 8 to 20: one anchor per {@code
 *     2^anchorBits} bytes on average, so the index takes 16 bytes per {@code 2^anchorBits} bytes of
 *     weights
 * @param segment bytes fingerprinted after an anchor, a multiple of 8 from 512 to 64 KiB
 * @param seed XORed into each word before it is hashed
 */
public record AnchorParams(int anchorBits, int segment, long seed) implements IndexScheme {

  /** The default seed: the first eight bytes of "SLUICE-A". */
  public static final long DEFAULT_SEED = 0x534C5549_43452D41L;

  /**
   * One anchor per 8 KiB, 4 KiB segments: 16 bytes of index per 8 KiB of weights, 2 GiB per TiB (an
   * 810 GB model: about 1.5 GiB). With the gateway's sampling (one offset in 8 tested) a 1 MiB
   * slice holds about 16 anchors it may find, and misses all of them with probability near e^-16;
   * measured on two held-out models: 1000 of 1000 slices found each, the first match after 64 KiB
   * on average.
   */
  public static final AnchorParams DEFAULT = new AnchorParams(13, 4096, DEFAULT_SEED);

  /** Fibonacci hashing's multiplier (2^64 divided by the golden ratio, odd). */
  static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

  public AnchorParams {
    if (anchorBits < 8 || anchorBits > 20) {
      throw new IllegalArgumentException("anchor bits " + anchorBits + " not in 8..20");
    }
    if (segment < 512 || segment > 65536 || segment % 8 != 0) {
      throw new IllegalArgumentException(
          "segment " + segment + " not a multiple of 8 in 512..65536");
    }
    for (int c = 0; c < 256; c++) {
      long word = (c & 0xFFL) * 0x0101010101010101L;
      if (isAnchor(word, seed, anchorBits)) {
        throw new IllegalArgumentException(
            String.format(
                "seed 0x%016X makes the word of byte 0x%02X repeated an anchor; choose another",
                seed, c));
      }
    }
  }

  /** Whether the little-endian word {@code word} read at an offset makes it an anchor. */
  boolean isAnchor(long word) {
    return isAnchor(word, seed, anchorBits);
  }

  private static boolean isAnchor(long word, long seed, int bits) {
    return ((word ^ seed) * MULTIPLIER) >>> (64 - bits) == 0;
  }

  @Override
  public int maxSpan() {
    return segment;
  }
}
