package dev.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a forward listener resolves destination names, each lookup being egress (its queries carry
 * the name out through the site's resolvers): at most {@code perMinute} lookups per tenant and
 * minute (a token bucket that holds up to a minute's worth), and a cache of at most {@code
 * cacheSize} names, a resolved name kept {@code cacheTtl}, a name that did not resolve {@code
 * negativeTtl}. A cache hit sends nothing and costs nothing. {@code perMinute} 0 lets only cached
 * names through; a TTL of 0 caches nothing of that kind.
 *
 * <p>Config keys: {@code listeners[i].lookups.per_minute}, {@code .cache_size}, {@code .cache_ttl},
 * {@code .negative_ttl}.
 */
public record LookupConfig(int perMinute, int cacheSize, Duration cacheTtl, Duration negativeTtl) {

  public static final int DEFAULT_PER_MINUTE = 60;
  public static final int DEFAULT_CACHE_SIZE = 4096;
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(10);

  /** Upper limits of the keys (the reader names them in its errors). */
  public static final int MAX_PER_MINUTE = 1_000_000;

  public static final int MAX_CACHE_SIZE = 1_000_000;
  public static final Duration MAX_TTL = Duration.ofHours(1);

  public LookupConfig {
    Objects.requireNonNull(cacheTtl, "cacheTtl");
    Objects.requireNonNull(negativeTtl, "negativeTtl");
    if (perMinute < 0 || perMinute > MAX_PER_MINUTE) {
      throw new IllegalArgumentException("perMinute out of range: " + perMinute);
    }
    if (cacheSize < 1 || cacheSize > MAX_CACHE_SIZE) {
      throw new IllegalArgumentException("cacheSize out of range: " + cacheSize);
    }
    if (cacheTtl.isNegative() || cacheTtl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("cacheTtl out of range: " + cacheTtl);
    }
    if (negativeTtl.isNegative() || negativeTtl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("negativeTtl out of range: " + negativeTtl);
    }
  }

  /** The settings of a forward listener without a {@code lookups} key. */
  public static LookupConfig defaults() {
    return new LookupConfig(
        DEFAULT_PER_MINUTE, DEFAULT_CACHE_SIZE, DEFAULT_CACHE_TTL, DEFAULT_NEGATIVE_TTL);
  }
}
