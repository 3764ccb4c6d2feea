package dev.sluice.demo;

import dev.sluice.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out the identity of each completion: {@code chatcmpl-} ids that look like OpenAI's (29
 * alphanumerics) but are a pure function of the seed and a counter, so a seeded run is repeatable;
 * the creation time from the injected clock; and one {@code fp_} fingerprint per server.
 * Thread-safe.
 */
final class CompletionIds {
  private static final char[] ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int ID_CHARS = 29;

  private final long seed;
  private final Clock clock;
  private final AtomicLong counter = new AtomicLong();
  private final String fingerprint;

  CompletionIds(long seed, Clock clock) {
    this.seed = seed;
    this.clock = clock;
    this.fingerprint = "fp_" + String.format("%010x", mix(seed) >>> 24);
  }

  CompletionMeta next(String model) {
    long n = counter.getAndIncrement();
    StringBuilder id = new StringBuilder("chatcmpl-");
    long state = seed ^ mix(n);
    for (int i = 0; i < ID_CHARS; i++) {
      state = mix(state + 0x9E3779B97F4A7C15L);
      id.append(ALPHABET[(int) Long.remainderUnsigned(state, ALPHABET.length)]);
    }
    return new CompletionMeta(id.toString(), clock.millis() / 1000, model, fingerprint);
  }

  /** SplitMix64's finalizer: a bijective scramble of 64 bits. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
