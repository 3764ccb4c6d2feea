package dev.sluice.detect.fingerprint;

/**
 * The parameters of content-defined chunking (index format version 1; version 2's anchors, {@link
 * AnchorParams}, are the default), which an index records and a matcher must share: a matcher
 * refuses an index built with other parameters, since its chunks would never line up.
 *
 * <p>FastCDC (Xia et al., USENIX ATC 2016) with normalized chunking: no cut is looked for in the
 * first {@code min} bytes of a chunk (the gear hash is restarted there); up to {@code avg} bytes a
 * cut needs {@code avgBits + normalization} zero bits of the gear hash, after it {@code avgBits -
 * normalization}; at {@code max} bytes the chunk is cut whatever the content. The bits tested are
 * the top bits of the 64-bit gear hash, which depend on the last 64 bytes (the hash shifts left one
 * bit per byte), so a boundary depends only on the 64 bytes before it.
 *
 * @param min smallest chunk, except the last of a stream
 * @param avg the normal chunk size, a power of two
 * @param max largest chunk; a chunk cut at max is not fingerprinted (its content had no boundary,
 *     which for anything but repetitive data is vanishingly unlikely)
 * @param normalization the normalized-chunking level (bits added below avg, removed above)
 * @param gearSeed seed of the gear table (SplitMix64), so the table is named by one number
 */
public record ChunkParams(int min, int avg, int max, int normalization, long gearSeed)
    implements IndexScheme {

  /** The seed of the default gear table: the first 8 bytes of "SLUICE-G". */
  public static final long DEFAULT_SEED = 0x534C5549_43452D47L;

  /**
   * 4 KiB / 16 KiB / 128 KiB, level 1. A 1 MiB slice holds about 50 chunks; the index costs 16
   * bytes per chunk (chunks average 19.2 KB on random data, so about 830 MB per TB of tensor
   * bytes); a slice starting anywhere agrees with the index's chunks after 24 KiB on average and 80
   * KiB at worst (200 seeded slices of random data; level 2 took 39 KiB and 250 KiB, because its
   * stricter mask before avg makes a cut depend more on the chunk's length); 128 KiB keeps chunks
   * cut at the maximum (left out of the index) about one in a million.
   */
  public static final ChunkParams DEFAULT = new ChunkParams(4096, 16384, 131072, 1, DEFAULT_SEED);

  public ChunkParams {
    if (min < 64 || Integer.bitCount(avg) != 1 || avg <= min || max <= avg || max > (1 << 24)) {
      throw new IllegalArgumentException(
          "chunk sizes must satisfy 64 <= min < avg < max <= 16 MiB, avg a power of two: min="
              + min
              + " avg="
              + avg
              + " max="
              + max);
    }
    int bits = Integer.numberOfTrailingZeros(avg);
    if (normalization < 0 || normalization >= bits || bits + normalization > 32) {
      throw new IllegalArgumentException(
          "normalization " + normalization + " out of range for avg " + avg);
    }
  }

  @Override
  public int maxSpan() {
    return max;
  }

  /** Mask of the top bits that must be zero for a cut before {@code avg} bytes. */
  long maskSmall() {
    return topBits(Integer.numberOfTrailingZeros(avg) + normalization);
  }

  /** Mask of the top bits that must be zero for a cut at or after {@code avg} bytes. */
  long maskLarge() {
    return topBits(Integer.numberOfTrailingZeros(avg) - normalization);
  }

  private static long topBits(int n) {
    return n == 0 ? 0 : -1L << (64 - n);
  }

  /** The default seed's table, shared (read only) by every chunker that uses it. */
  private static final long[] DEFAULT_GEAR = gearTable(DEFAULT_SEED);

  /** The 256 gear values: SplitMix64 from {@link #gearSeed}. Callers must not modify it. */
  long[] gearTable() {
    return gearSeed == DEFAULT_SEED ? DEFAULT_GEAR : gearTable(gearSeed);
  }

  private static long[] gearTable(long seed) {
    long[] table = new long[256];
    long state = seed;
    for (int i = 0; i < table.length; i++) {
      state += 0x9E3779B97F4A7C15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      table[i] = z ^ (z >>> 31);
    }
    return table;
  }
}
