package dev.sluice.detect.compressibility;

import java.util.Objects;

/**
 * The order-0 (byte histogram) entropy of a block: the size an ideal coder that knows only the
 * block's byte frequencies would give it. It is a lower bound for coders that model bytes one at a
 * time and an upper bound of sorts for real compressors on text (which also find repeats): on the
 * shared corpus text it is about 0.6 of the raw size where zstd -3 gets 0.5, while random,
 * encrypted and already-compressed bytes are at 0.99 or more and float weights about 0.8 to 0.95
 * (measured in {@code ProbeOnRealDataTest}). That gap is all the incompressible-egress signal
 * needs, and a histogram costs one increment per byte and 256 table look-ups per block.
 *
 * <p>Blocks of at most {@link #MAX_BLOCK} bytes. The entropy is computed in fixed point from a
 * table of {@code n log2 n} for {@code n <= MAX_BLOCK}, so an estimate is exact integer arithmetic
 * after the table is built: {@code bits = N log2 N - sum(n_i log2 n_i)}.
 */
public final class EntropyEstimate {

  /** The largest block estimated at once. */
  public static final int MAX_BLOCK = 1 << 16;

  /** Fixed-point fraction bits of the table. */
  private static final int FRACTION = 16;

  /** {@code n log2 n} scaled by {@code 2^FRACTION}, for n = 0..MAX_BLOCK. */
  private static final long[] N_LOG_N = new long[MAX_BLOCK + 1];

  static {
    for (int n = 2; n <= MAX_BLOCK; n++) {
      N_LOG_N[n] = Math.round(n * (Math.log(n) / Math.log(2)) * (1 << FRACTION));
    }
  }

  private EntropyEstimate() {}

  /**
   * The estimated compressed size, in bytes (rounded up), of {@code len} bytes of {@code b} from
   * {@code off}: between 0 (one repeated byte) and {@code len}.
   *
   * @throws IllegalArgumentException if {@code len} is above {@link #MAX_BLOCK}
   */
  public static int compressedBytes(byte[] b, int off, int len) {
    return compressedBytes(b, off, len, new int[256]);
  }

  /**
   * As {@link #compressedBytes(byte[], int, int)}, counting in {@code counts} (256 entries,
   * overwritten) instead of a new array: no allocation.
   */
  public static int compressedBytes(byte[] b, int off, int len, int[] counts) {
    Objects.checkFromIndexSize(off, len, Objects.requireNonNull(b, "b").length);
    if (counts.length != 256) {
      throw new IllegalArgumentException("counts must have 256 entries");
    }
    if (len > MAX_BLOCK) {
      throw new IllegalArgumentException("block of " + len + " bytes, at most " + MAX_BLOCK);
    }
    if (len == 0) {
      return 0;
    }
    java.util.Arrays.fill(counts, 0);
    for (int i = off, end = off + len; i < end; i++) {
      counts[b[i] & 0xff]++;
    }
    long sum = 0;
    for (int c : counts) {
      sum += N_LOG_N[c];
    }
    long bits = N_LOG_N[len] - sum; // scaled; at most len * 8 * 2^16 < 2^36
    long bytes = (bits + (8L << FRACTION) - 1) >> (FRACTION + 3);
    return (int) Math.min(len, Math.max(0, bytes));
  }
}
