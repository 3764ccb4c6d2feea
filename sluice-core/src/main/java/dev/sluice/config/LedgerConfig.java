package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The ledger: the checkpoint origin line, the Ed25519 signing key file ({@code null}: generated
 * into the data directory on first start), how often checkpoints are signed, and the most bytes one
 * group commit may carry.
 */
public record LedgerConfig(
    String origin, Path signingKey, Duration checkpointInterval, long maxBatchBytes) {

  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
  public static final Duration MIN_CHECKPOINT_INTERVAL = Duration.ofMillis(10);
  public static final Duration MAX_CHECKPOINT_INTERVAL = Duration.ofHours(1);
  public static final long DEFAULT_MAX_BATCH = 1L << 20;
  public static final long MIN_MAX_BATCH = 4L << 10;
  public static final long MAX_MAX_BATCH = 64L << 20;
  public static final int MAX_ORIGIN_LENGTH = 255;

  public LedgerConfig {
    checkOrigin(origin);
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    if (checkpointInterval.compareTo(MIN_CHECKPOINT_INTERVAL) < 0
        || checkpointInterval.compareTo(MAX_CHECKPOINT_INTERVAL) > 0) {
      throw new IllegalArgumentException("checkpoint interval must be 10ms..1h");
    }
    if (maxBatchBytes < MIN_MAX_BATCH || maxBatchBytes > MAX_MAX_BATCH) {
      throw new IllegalArgumentException("max batch must be 4KiB..64MiB");
    }
  }

  /** The ledger settings of a site that configures none. */
  public static LedgerConfig defaults(String site) {
    return new LedgerConfig(
        defaultOrigin(site), null, DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_MAX_BATCH);
  }

  /** {@code sluice/<site>}. */
  public static String defaultOrigin(String site) {
    return "sluice/" + site;
  }

  /**
   * Checks a checkpoint origin: 1..255 printable ASCII characters, no spaces and no '+' (the origin
   * is the first line of every checkpoint and names the signing key in the signed note).
   */
  static String checkOrigin(String origin) {
    if (origin == null || origin.isEmpty() || origin.length() > MAX_ORIGIN_LENGTH) {
      throw new IllegalArgumentException("an origin must be 1..255 characters");
    }
    for (int i = 0; i < origin.length(); i++) {
      char c = origin.charAt(i);
      if (c <= ' ' || c > '~' || c == '+') {
        throw new IllegalArgumentException(
            "an origin must be printable ASCII without spaces or '+', e.g. sluice/site-a");
      }
    }
    return origin;
  }
}
