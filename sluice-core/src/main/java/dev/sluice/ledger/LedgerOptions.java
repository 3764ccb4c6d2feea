package dev.sluice.ledger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Validated, immutable settings of a {@link Ledger}. Build with {@link #builder}; every setter
 * checks its argument, {@link Builder#build()} freezes the result.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>unit</th><th>default</th><th>range</th></tr>
 *   <tr><td>dataDir</td><td>path</td><td>required</td><td>holds {@code ledger.key} by default</td></tr>
 *   <tr><td>origin</td><td>text</td><td>required</td><td>printable ASCII key name without '+', e.g. {@code sluice.example/site}</td></tr>
 *   <tr><td>ledgerDir</td><td>path</td><td>{@code <dataDir>/ledger}</td><td></td></tr>
 *   <tr><td>signingKey</td><td>path</td><td>none: {@code <dataDir>/ledger.key}, generated on first start</td><td>must exist if set</td></tr>
 *   <tr><td>checkpointInterval</td><td>duration</td><td>10 s</td><td>1 ms .. 1 day</td></tr>
 *   <tr><td>maxBatchBytes</td><td>bytes</td><td>1 MiB</td><td>4 KiB .. 64 MiB; fixed in the file at creation</td></tr>
 *   <tr><td>queueCapacity</td><td>entries</td><td>65536</td><td>1 .. 2^24</td></tr>
 *   <tr><td>retryMinBackoff</td><td>duration</td><td>100 ms</td><td>1 ms .. 1 min; first repair attempt after an I/O error</td></tr>
 *   <tr><td>retryMaxBackoff</td><td>duration</td><td>2 s</td><td>retryMinBackoff .. 10 min; the delay doubles up to this</td></tr>
 *   <tr><td>io</td><td>hook</td><td>{@link LedgerIo#standard()}</td><td>tests inject faults here</td></tr>
 * </table>
 */
public final class LedgerOptions {

  public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_BATCH_BYTES = 1 << 20;
  public static final int MIN_BATCH_BYTES = 4 << 10;
  public static final int MAX_BATCH_BYTES = 64 << 20;
  public static final int DEFAULT_QUEUE_CAPACITY = 1 << 16;
  private static final int MAX_QUEUE_CAPACITY = 1 << 24;
  public static final Duration DEFAULT_RETRY_MIN_BACKOFF = Duration.ofMillis(100);
  public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(2);

  private final Path dataDir;
  private final Path ledgerDir;
  private final String origin;
  private final Path signingKey;
  private final Duration checkpointInterval;
  private final int maxBatchBytes;
  private final int queueCapacity;
  private final Duration retryMinBackoff;
  private final Duration retryMaxBackoff;
  private final LedgerIo io;

  private LedgerOptions(Builder b) {
    this.dataDir = b.dataDir;
    this.ledgerDir = b.ledgerDir != null ? b.ledgerDir : b.dataDir.resolve("ledger");
    this.origin = b.origin;
    this.signingKey = b.signingKey;
    this.checkpointInterval = b.checkpointInterval;
    this.maxBatchBytes = b.maxBatchBytes;
    this.queueCapacity = b.queueCapacity;
    this.retryMinBackoff = b.retryMinBackoff;
    this.retryMaxBackoff = b.retryMaxBackoff;
    this.io = b.io;
  }

  /** Starts options for the ledger of {@code dataDir} whose checkpoints name {@code origin}. */
  public static Builder builder(Path dataDir, String origin) {
    return new Builder(dataDir, origin);
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path ledgerDir() {
    return ledgerDir;
  }

  public String origin() {
    return origin;
  }

  /** The configured signing key file, if any. */
  public Optional<Path> signingKey() {
    return Optional.ofNullable(signingKey);
  }

  /** The key file actually used: the configured one or {@code <dataDir>/ledger.key}. */
  public Path signingKeyFile() {
    return signingKey != null ? signingKey : dataDir.resolve(LedgerKeys.KEY_FILE);
  }

  public Duration checkpointInterval() {
    return checkpointInterval;
  }

  public int maxBatchBytes() {
    return maxBatchBytes;
  }

  public int queueCapacity() {
    return queueCapacity;
  }

  /** Delay before the first repair attempt after an I/O error. */
  public Duration retryMinBackoff() {
    return retryMinBackoff;
  }

  /** Longest delay between repair attempts; the delay doubles from the minimum up to this. */
  public Duration retryMaxBackoff() {
    return retryMaxBackoff;
  }

  public LedgerIo io() {
    return io;
  }

  /** Collects and checks settings. Not thread-safe. */
  public static final class Builder {
    private final Path dataDir;
    private final String origin;
    private Path ledgerDir;
    private Path signingKey;
    private Duration checkpointInterval = DEFAULT_CHECKPOINT_INTERVAL;
    private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private Duration retryMinBackoff = DEFAULT_RETRY_MIN_BACKOFF;
    private Duration retryMaxBackoff = DEFAULT_RETRY_MAX_BACKOFF;
    private LedgerIo io = LedgerIo.standard();

    private Builder(Path dataDir, String origin) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      try {
        this.origin = NoteVerifier.checkName(origin);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("ledger origin: " + e.getMessage(), e);
      }
      if (!origin.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
        throw new IllegalArgumentException("ledger origin must be printable ASCII: " + origin);
      }
    }

    public Builder ledgerDir(Path dir) {
      this.ledgerDir = Objects.requireNonNull(dir, "ledgerDir");
      return this;
    }

    public Builder signingKey(Path keyFile) {
      this.signingKey = Objects.requireNonNull(keyFile, "signingKey");
      return this;
    }

    public Builder checkpointInterval(Duration interval) {
      Objects.requireNonNull(interval, "checkpointInterval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0
          || interval.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException(
            "checkpointInterval must be 1 ms .. 1 day, got " + interval);
      }
      this.checkpointInterval = interval;
      return this;
    }

    public Builder maxBatchBytes(int bytes) {
      if (bytes < MIN_BATCH_BYTES || bytes > MAX_BATCH_BYTES) {
        throw new IllegalArgumentException(
            "maxBatchBytes must be "
                + MIN_BATCH_BYTES
                + " .. "
                + MAX_BATCH_BYTES
                + ", got "
                + bytes);
      }
      this.maxBatchBytes = bytes;
      return this;
    }

    public Builder queueCapacity(int entries) {
      if (entries < 1 || entries > MAX_QUEUE_CAPACITY) {
        throw new IllegalArgumentException(
            "queueCapacity must be 1 .. " + MAX_QUEUE_CAPACITY + ", got " + entries);
      }
      this.queueCapacity = entries;
      return this;
    }

    /**
     * Sets the back-off of repair attempts after an I/O error: the first after {@code min}, then
     * doubling up to {@code max}.
     */
    public Builder retryBackoff(Duration min, Duration max) {
      Objects.requireNonNull(min, "retryMinBackoff");
      Objects.requireNonNull(max, "retryMaxBackoff");
      if (min.compareTo(Duration.ofMillis(1)) < 0 || min.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("retryMinBackoff must be 1 ms .. 1 min, got " + min);
      }
      if (max.compareTo(min) < 0 || max.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "retryMaxBackoff must be retryMinBackoff (" + min + ") .. 10 min, got " + max);
      }
      this.retryMinBackoff = min;
      this.retryMaxBackoff = max;
      return this;
    }

    public Builder io(LedgerIo io) {
      this.io = Objects.requireNonNull(io, "io");
      return this;
    }

    public LedgerOptions build() {
      return new LedgerOptions(this);
    }
  }
}
