package dev.sluice.config;

import dev.sluice.net.HostPort;
import java.time.Duration;
import java.util.Objects;

/**
 * The admin HTTP endpoint (metrics, API, dashboard, halt). Loopback by default. The admin server
 * must answer a halt under any connection flood, so every connection is bounded in time and in
 * number per source address:
 *
 * @param bind where it listens
 * @param requestTimeout how long a request may take to arrive whole (head and body), from its first
 *     byte; a connection that trickles is closed
 * @param idleTimeout how long a connection may stay open with no request in progress (also from
 *     accept to the first byte)
 * @param maxConnectionsPerSource how many connections one source address may hold open at once;
 *     more are closed at accept
 * @param tls when set, the admin API speaks HTTPS only, with this certificate and key; null: plain
 *     HTTP
 * @param plaintextOnNetwork the operator's explicit consent to plain HTTP on a non-loopback bind
 *     <p>A non-loopback {@code bind} needs {@code tls} or {@code plaintextOnNetwork} (issue 15: the
 *     bearer token and the halt switch must not cross the network in clear by accident); both at
 *     once contradict each other. The constructor refuses either mistake; the config reader reports
 *     it naming the keys.
 */
public record AdminConfig(
    HostPort bind,
    Duration requestTimeout,
    Duration idleTimeout,
    int maxConnectionsPerSource,
    TlsConfig tls,
    boolean plaintextOnNetwork) {

  /** Where admin listens when nothing is configured. */
  public static final HostPort DEFAULT_BIND = new HostPort("127.0.0.1", 9901);

  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(100);
  public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(5);

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration MIN_IDLE_TIMEOUT = Duration.ofMillis(100);
  public static final Duration MAX_IDLE_TIMEOUT = Duration.ofHours(1);

  public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 32;
  public static final int MIN_MAX_CONNECTIONS_PER_SOURCE = 1;
  public static final int MAX_MAX_CONNECTIONS_PER_SOURCE = 10_000;

  public AdminConfig {
    Objects.requireNonNull(bind, "bind");
    checkRange("requestTimeout", requestTimeout, MIN_REQUEST_TIMEOUT, MAX_REQUEST_TIMEOUT);
    checkRange("idleTimeout", idleTimeout, MIN_IDLE_TIMEOUT, MAX_IDLE_TIMEOUT);
    if (maxConnectionsPerSource < MIN_MAX_CONNECTIONS_PER_SOURCE
        || maxConnectionsPerSource > MAX_MAX_CONNECTIONS_PER_SOURCE) {
      throw new IllegalArgumentException(
          "maxConnectionsPerSource must be between "
              + MIN_MAX_CONNECTIONS_PER_SOURCE
              + " and "
              + MAX_MAX_CONNECTIONS_PER_SOURCE
              + ", got "
              + maxConnectionsPerSource);
    }
    if (tls != null && plaintextOnNetwork) {
      throw new IllegalArgumentException("plaintextOnNetwork contradicts tls");
    }
    if (!isLoopback(bind) && tls == null && !plaintextOnNetwork) {
      throw new IllegalArgumentException(
          "bind " + bind + " is not loopback: it needs tls, or plaintextOnNetwork to accept HTTP");
    }
  }

  /** Admin on {@code bind} over plain HTTP with the given timeouts and cap. */
  public AdminConfig(
      HostPort bind, Duration requestTimeout, Duration idleTimeout, int maxConnectionsPerSource) {
    this(bind, requestTimeout, idleTimeout, maxConnectionsPerSource, null, false);
  }

  /** Admin on {@code bind} over plain HTTP with the default timeouts and cap. */
  public AdminConfig(HostPort bind) {
    this(bind, DEFAULT_REQUEST_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS_PER_SOURCE);
  }

  /** True when {@code bind} is a loopback address, reachable from this host only. */
  public boolean loopback() {
    return isLoopback(bind);
  }

  /**
   * True when the admin API (halt included) is reachable from other hosts over plain HTTP: a
   * non-loopback bind without TLS, which only {@code plaintextOnNetwork} allows. Start and {@code
   * sluice status} warn about it.
   */
  public boolean exposed() {
    return !loopback() && tls == null;
  }

  /** True for the loopback names and addresses ({@code localhost}, 127.0.0.0/8, ::1). */
  public static boolean isLoopback(HostPort bind) {
    String h = bind.host();
    return h.equals("localhost")
        || h.startsWith("127.")
        || h.equals("::1")
        || h.equals("[::1]")
        || h.equals("0:0:0:0:0:0:0:1");
  }

  private static void checkRange(String name, Duration d, Duration min, Duration max) {
    Objects.requireNonNull(d, name);
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be between " + min + " and " + max + ", got " + d);
    }
  }
}
