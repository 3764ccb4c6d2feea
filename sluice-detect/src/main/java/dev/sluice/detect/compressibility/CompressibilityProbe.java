package dev.sluice.detect.compressibility;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Estimates the compressed size of one byte stream (a connection's egress) from samples, cheaply
 * enough to run on every connection of every listener.
 *
 * <p>The stream is cut into chunks of {@link #CHUNK} bytes. The first chunk is always sampled (so a
 * short response is measured), every later one with probability 1 in {@link #ONE_IN}, drawn from
 * the probe's random source: a sender cannot know which chunks are looked at, so placing text at
 * fixed offsets and packed bytes elsewhere does not hide the packed bytes. Sampled chunks are
 * copied into a window of {@link #SAMPLE} bytes; when it is full, {@link EntropyEstimate} gives its
 * compressed size, and every byte since the previous full window is counted as raw and charged the
 * window's ratio as compressed (so about one estimate per {@code SAMPLE * ONE_IN} = 256 KiB). Bytes
 * not yet covered by a full window wait ({@link #pending()}); {@link #finish} counts them with the
 * part of the window filled, or the previous window's ratio if nothing was sampled since. The two
 * counters move together: their ratio is the estimate's.
 *
 * <p>Cost: a decrement per chunk and one random draw per sampled chunk (the gaps between sampled
 * chunks are drawn, geometric), one copy and one histogram increment per sampled byte (1/64 of
 * them), 256 table look-ups per window. Not thread-safe: one instance per connection, used on its
 * event loop.
 */
public final class CompressibilityProbe {

  /** Bytes per chunk: the unit that is sampled or not. */
  public static final int CHUNK = 256;

  /** Every chunk after a stream's first is sampled with probability {@code 1 / ONE_IN}. */
  public static final int ONE_IN = 64;

  /** Bytes estimated at once: 16 sampled chunks. */
  public static final int SAMPLE = 4096;

  /**
   * Where counted bytes go: {@code raw} bytes passed, estimated to compress to {@code compressed}.
   */
  @FunctionalInterface
  public interface Sink {
    void add(long raw, long compressed);
  }

  /**
   * Copies {@code len} bytes from offset {@code from} of the bytes being accepted into {@code dst}.
   */
  @FunctionalInterface
  public interface Source {
    void copy(int from, byte[] dst, int dstOffset, int len);
  }

  private final SplittableRandom random;
  private final byte[] sample = new byte[SAMPLE];
  private final int[] counts = new int[256];
  private long chunks;
  private long skip; // chunks to pass before the next sampled one
  private int chunkLeft;
  private boolean sampling;
  private int windowFill;
  private int previous = -1; // compressed bytes of the last full window; -1 none
  private long pending;

  /** A probe whose sampled chunks are drawn by {@code random}. */
  public CompressibilityProbe(SplittableRandom random) {
    this.random = Objects.requireNonNull(random, "random");
  }

  /** Counts {@code len} bytes read through {@code src}, adding what is settled to {@code sink}. */
  public void accept(Source src, int len, Sink sink) {
    int done = 0;
    while (done < len) {
      if (chunkLeft == 0) {
        chunkLeft = CHUNK;
        sampling = chunks++ == 0 || skip-- == 0;
        if (sampling) {
          skip = gap();
        }
      }
      int take = Math.min(len - done, chunkLeft);
      if (sampling) {
        int n = Math.min(take, SAMPLE - windowFill);
        src.copy(done, sample, windowFill, n);
        windowFill += n;
      }
      pending += take;
      chunkLeft -= take;
      done += take;
      if (windowFill == SAMPLE) {
        previous = EntropyEstimate.compressedBytes(sample, 0, SAMPLE, counts);
        sink.add(pending, scale(pending, previous, SAMPLE));
        pending = 0;
        windowFill = 0;
      }
    }
  }

  /**
   * Counts the bytes still waiting for a full window (the stream ended, or its bytes are now
   * someone else's): with the part of the window filled, or the previous window's ratio; then the
   * next bytes are a new stream (its first chunk sampled).
   */
  public void finish(Sink sink) {
    if (pending > 0) {
      if (windowFill > 0) {
        int part = EntropyEstimate.compressedBytes(sample, 0, windowFill, counts);
        sink.add(pending, scale(pending, part, windowFill));
      } else {
        // a full window was estimated since the stream began (its first chunk fills the window
        // first), so there is a previous ratio; without one, count the bytes as incompressible
        sink.add(pending, previous < 0 ? pending : scale(pending, previous, SAMPLE));
      }
    }
    pending = 0;
    windowFill = 0;
    chunks = 0;
    skip = 0;
    chunkLeft = 0;
    previous = -1;
  }

  /** Bytes accepted whose estimate is not known yet. */
  public long pending() {
    return pending;
  }

  /**
   * Chunks passed over before the next sampled one: geometric, so that each chunk is sampled with
   * probability {@code 1 / ONE_IN} independently of the others, with one draw per sampled chunk
   * rather than one per chunk.
   */
  private long gap() {
    return (long) Math.floor(Math.log(1 - random.nextDouble()) / LOG_MISS);
  }

  private static final double LOG_MISS = Math.log(1 - 1.0 / ONE_IN);

  /** {@code n * num / den}, rounded up: never more than {@code n} as {@code num <= den}. */
  private static long scale(long n, int num, int den) {
    return (Math.multiplyExact(n, num) + den - 1) / den;
  }
}
