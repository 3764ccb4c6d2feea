package dev.sluice.store;

/**
 * How many bytes a grant hands out. Big chunks mean few grants (each one is an fsync or an etcd
 * transaction); small chunks mean little escrow held idle, which matters when the budget is nearly
 * spent: escrow held by one account (or one gateway node) cannot be spent by another.
 *
 * <p>The rule: a grant is an eighth of what remains on the path, clamped to {@code [minChunk,
 * maxChunk]} while at least {@code 8 * minChunk} remain, and an eighth of what remains below that
 * (so the tail is handed out in ever smaller pieces instead of stranding on whoever asks first);
 * always at least what the request needs, never more than remains. Any single grant therefore holds
 * at most {@code max(need, remaining / 8, minChunk)} bytes. An account that spends fast may ask for
 * more ({@code want}): it gets up to that, but still never more than an eighth of what remains (or
 * what it needs). See {@code docs/decisions/0003-escrow-chunk-size.md}.
 */
public record ChunkPolicy(long minChunk, long maxChunk) {

  public ChunkPolicy {
    if (minChunk <= 0 || maxChunk < minChunk) {
      throw new IllegalArgumentException(
          "need 0 < minChunk <= maxChunk, got " + minChunk + ", " + maxChunk);
    }
  }

  /**
   * Bytes to grant for a request needing {@code need} bytes when {@code remaining} bytes can still
   * be granted on the path, or -1 if {@code need} does not fit.
   */
  public long amount(long need, long remaining) {
    return amount(need, 0, remaining);
  }

  /**
   * Bytes to grant for a request needing {@code need} bytes and wishing for {@code want}, when
   * {@code remaining} bytes can still be granted, or -1 if {@code need} does not fit.
   */
  public long amount(long need, long want, long remaining) {
    if (need > remaining) {
      return -1;
    }
    long eighth = remaining / 8;
    long chunk = eighth >= minChunk ? Math.min(eighth, maxChunk) : eighth;
    long wish = Math.min(want, eighth);
    return Math.min(remaining, Math.max(need, Math.max(chunk, wish)));
  }
}
