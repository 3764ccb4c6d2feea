package dev.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How a gateway node obtains escrow: grant chunk bounds (chunks shrink toward {@code minChunkBytes}
 * when little budget is left), the refill threshold as a percentage of the last chunk, and how long
 * a grant may be spent before it must be renewed.
 */
public record EscrowConfig(
    long minChunkBytes, long maxChunkBytes, int lowWaterPercent, Duration grantTtl) {

  public static final long DEFAULT_MIN_CHUNK = 64L << 10;
  public static final long DEFAULT_MAX_CHUNK = 4L << 20;
  public static final int DEFAULT_LOW_WATER_PERCENT = 25;
  public static final int MIN_LOW_WATER_PERCENT = 1;
  public static final int MAX_LOW_WATER_PERCENT = 90;
  public static final Duration DEFAULT_GRANT_TTL = Duration.ofSeconds(30);
  public static final Duration MIN_GRANT_TTL = Duration.ofSeconds(1);
  public static final Duration MAX_GRANT_TTL = Duration.ofHours(1);

  /** The escrow settings of a site that configures none. */
  public static final EscrowConfig DEFAULTS =
      new EscrowConfig(
          DEFAULT_MIN_CHUNK, DEFAULT_MAX_CHUNK, DEFAULT_LOW_WATER_PERCENT, DEFAULT_GRANT_TTL);

  public EscrowConfig {
    if (minChunkBytes < 1) {
      throw new IllegalArgumentException("min chunk must be at least 1 byte");
    }
    if (maxChunkBytes < minChunkBytes) {
      throw new IllegalArgumentException("max chunk must be at least min chunk");
    }
    if (lowWaterPercent < MIN_LOW_WATER_PERCENT || lowWaterPercent > MAX_LOW_WATER_PERCENT) {
      throw new IllegalArgumentException("low water must be 1..90 percent");
    }
    Objects.requireNonNull(grantTtl, "grantTtl");
    if (grantTtl.compareTo(MIN_GRANT_TTL) < 0 || grantTtl.compareTo(MAX_GRANT_TTL) > 0) {
      throw new IllegalArgumentException("grant ttl must be 1s..1h");
    }
  }
}
