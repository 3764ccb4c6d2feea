package dev.sluice.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code alerts} section: when Sluice raises an alert and where it sends it.
 *
 * <ul>
 *   <li>{@code thresholds}: percentages of every limit's cap; an alert fires once per limit, window
 *       period and threshold when the spent bytes reach it (default 50, 80, 100).
 *   <li>{@code rate}: an egress-rate alert when a budget node's (or this gateway's) rate over
 *       {@code window} is above {@code multiple} times its average over {@code trailing}, and at
 *       least {@code min_bytes_per_second} (so an idle tenant sending a little does not fire).
 *   <li>{@code incompressible}: an alert per tenant when, over {@code window}, at least {@code
 *       min_bytes} of its egress left and the compressibility probe estimated them to compress to
 *       more than {@code ratio} of their size (encrypted or packed data, float weights); {@code
 *       false} turns it off.
 *   <li>{@code checkpoint_max_age}: the newest signed checkpoint older than this fires an alert.
 *   <li>{@code webhooks}: Alertmanager-compatible receivers (webhook format version 4), retried
 *       with exponential back-off from {@code backoff.initial} to {@code backoff.max}; at most
 *       {@code queue} notifications wait per webhook, the oldest dropped beyond that.
 * </ul>
 *
 * <p>A configuration without an {@code alerts} section has no alerting at all ({@link
 * SluiceConfig#alerts()} is null); {@code alerts: {}} evaluates with the defaults and only logs,
 * ledgers and serves them.
 *
 * @param incompressible the incompressible-egress alert; null: off
 * @param externalUrl the base URL written as {@code externalURL} and {@code generatorURL}; null:
 *     the admin API's own address
 */
public record AlertsConfig(
    List<Webhook> webhooks,
    List<Integer> thresholdsPercent,
    Duration interval,
    Rate rate,
    Incompressible incompressible,
    Duration checkpointMaxAge,
    Duration backoffInitial,
    Duration backoffMax,
    int queue,
    URI externalUrl) {

  public static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
  public static final Duration MAX_INTERVAL = Duration.ofMinutes(10);
  public static final Duration DEFAULT_CHECKPOINT_MAX_AGE = Duration.ofMinutes(1);
  public static final Duration MIN_CHECKPOINT_MAX_AGE = Duration.ofSeconds(1);
  public static final Duration MAX_CHECKPOINT_MAX_AGE = Duration.ofDays(1);
  public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(1);
  public static final Duration MIN_BACKOFF = Duration.ofMillis(10);
  public static final Duration MAX_BACKOFF = Duration.ofHours(1);
  public static final int DEFAULT_QUEUE = 1000;
  public static final int MAX_QUEUE = 100_000;
  public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration MIN_WEBHOOK_TIMEOUT = Duration.ofMillis(100);
  public static final Duration MAX_WEBHOOK_TIMEOUT = Duration.ofMinutes(1);

  /** One receiver: an {@code http} or {@code https} URL and the deadline of each attempt. */
  public record Webhook(URI url, Duration timeout) {
    public Webhook {
      checkUrl(Objects.requireNonNull(url, "url").toString());
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(MIN_WEBHOOK_TIMEOUT) < 0
          || timeout.compareTo(MAX_WEBHOOK_TIMEOUT) > 0) {
        throw new IllegalArgumentException("webhook timeout must be 100ms..1m");
      }
    }
  }

  /**
   * The egress-rate alert: fires when the rate over {@code window} exceeds {@code multiple} times
   * the average over {@code trailing} and is at least {@code minBytesPerSecond}.
   */
  public record Rate(long multiple, Duration window, Duration trailing, long minBytesPerSecond) {

    public static final long DEFAULT_MULTIPLE = 10;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final Duration DEFAULT_TRAILING = Duration.ofHours(1);
    public static final long DEFAULT_MIN_BYTES_PER_SECOND = 1_000_000;
    public static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    public static final Duration MAX_WINDOW = Duration.ofHours(1);
    public static final Duration MAX_TRAILING = Duration.ofDays(7);
    public static final Rate DEFAULTS =
        new Rate(DEFAULT_MULTIPLE, DEFAULT_WINDOW, DEFAULT_TRAILING, DEFAULT_MIN_BYTES_PER_SECOND);

    public Rate {
      if (multiple < 2 || multiple > 1_000_000) {
        throw new IllegalArgumentException("rate multiple must be 2..1000000");
      }
      Objects.requireNonNull(window, "window");
      Objects.requireNonNull(trailing, "trailing");
      if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
        throw new IllegalArgumentException("rate window must be 1s..1h");
      }
      if (trailing.compareTo(window.multipliedBy(2)) < 0 || trailing.compareTo(MAX_TRAILING) > 0) {
        throw new IllegalArgumentException("rate trailing must be 2 x window .. 7d");
      }
      if (minBytesPerSecond < 1) {
        throw new IllegalArgumentException("rate min_bytes_per_second must be at least 1 B");
      }
    }
  }

  /**
   * The incompressible-egress alert: a tenant's egress over {@code window} is at least {@code
   * minBytes} and the probe's compressed/raw ratio of it is above {@code ratio}.
   *
   * <p>Defaults, from the probe's figures on real data (docs/detection.md): text answers as JSON
   * are at about 0.58 and base64 of anything at most 0.76, while ciphertext, compressed data and
   * random bytes are at 0.99 and fp32 and fp16 weights at 0.91, so 0.85 sits between them. 10
   * minutes and 50 MB: a sustained stream (83 kB/s for 10 minutes), not an image, an archive or a
   * PDF someone downloads, which are incompressible too.
   */
  public record Incompressible(Duration window, double ratio, long minBytes) {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    public static final double DEFAULT_RATIO = 0.85;
    public static final long DEFAULT_MIN_BYTES = 50_000_000;
    public static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    public static final Duration MAX_WINDOW = Duration.ofDays(1);
    public static final double MIN_RATIO = 0.1;
    public static final double MAX_RATIO = 1.0;
    public static final Incompressible DEFAULTS =
        new Incompressible(DEFAULT_WINDOW, DEFAULT_RATIO, DEFAULT_MIN_BYTES);

    public Incompressible {
      Objects.requireNonNull(window, "window");
      if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
        throw new IllegalArgumentException("incompressible window must be 1s..1d");
      }
      if (!(ratio >= MIN_RATIO && ratio <= MAX_RATIO)) {
        throw new IllegalArgumentException("incompressible ratio must be 0.1..1");
      }
      if (minBytes < 1) {
        throw new IllegalArgumentException("incompressible min_bytes must be at least 1 B");
      }
    }
  }

  public AlertsConfig {
    webhooks = List.copyOf(webhooks);
    thresholdsPercent = List.copyOf(thresholdsPercent);
    int last = 0;
    for (int t : thresholdsPercent) {
      if (t < 1 || t > 100 || t <= last) {
        throw new IllegalArgumentException("thresholds must be ascending percentages 1..100");
      }
      last = t;
    }
    checkRange("interval", interval, MIN_INTERVAL, MAX_INTERVAL);
    Objects.requireNonNull(rate, "rate");
    checkRange(
        "checkpoint_max_age", checkpointMaxAge, MIN_CHECKPOINT_MAX_AGE, MAX_CHECKPOINT_MAX_AGE);
    checkRange("backoff.initial", backoffInitial, MIN_BACKOFF, MAX_BACKOFF);
    checkRange("backoff.max", backoffMax, backoffInitial, MAX_BACKOFF);
    if (queue < 1 || queue > MAX_QUEUE) {
      throw new IllegalArgumentException("queue must be 1..100000");
    }
    if (externalUrl != null) {
      checkUrl(externalUrl.toString());
    }
  }

  /** {@code alerts: {}}: every default, no webhook. */
  public static AlertsConfig defaults() {
    return new AlertsConfig(
        List.of(),
        DEFAULT_THRESHOLDS,
        DEFAULT_INTERVAL,
        Rate.DEFAULTS,
        Incompressible.DEFAULTS,
        DEFAULT_CHECKPOINT_MAX_AGE,
        DEFAULT_BACKOFF_INITIAL,
        DEFAULT_BACKOFF_MAX,
        DEFAULT_QUEUE,
        null);
  }

  /** A copy with these webhooks (for tests and tools). */
  public AlertsConfig withWebhooks(List<Webhook> hooks) {
    return new AlertsConfig(
        hooks,
        thresholdsPercent,
        interval,
        rate,
        incompressible,
        checkpointMaxAge,
        backoffInitial,
        backoffMax,
        queue,
        externalUrl);
  }

  /** Parses a webhook or external URL: {@code http} or {@code https}, with a host. */
  public static URI checkUrl(String s) {
    URI u;
    try {
      u = new URI(s);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getReason());
    }
    if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
      throw new IllegalArgumentException(
          "must be an http:// or https:// URL such as http://alertmanager:9093/api/v2/alerts");
    }
    if (u.getHost() == null) {
      throw new IllegalArgumentException("the URL needs a host, e.g. http://10.0.0.9:9093/hook");
    }
    if (u.getRawFragment() != null) {
      throw new IllegalArgumentException("the URL must not have a #fragment");
    }
    return u;
  }

  private static void checkRange(String what, Duration d, Duration min, Duration max) {
    Objects.requireNonNull(d, what);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          what + " must be " + Durations.format(min) + ".." + Durations.format(max));
    }
  }
}
