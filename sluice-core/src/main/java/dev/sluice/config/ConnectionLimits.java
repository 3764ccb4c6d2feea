package dev.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the data plane waits for each side of a listener's connections, and how many connections
 * one source address and one tenant may hold open on a listener. Written at the top level ({@code
 * timeouts:} and {@code connection_limits:}) and overridden key by key in a listener's own sections
 * of the same names; each {@link ListenerConfig} holds its resolved values. Immutable.
 *
 * @param requestHead how long a client may take to send a request head: from accept for the first
 *     request, from its first byte for each later request on a keep-alive connection (nginx {@code
 *     client_header_timeout}, HAProxy {@code timeout http-request}); answered 408, then closed
 * @param idle how long a keep-alive connection may wait, with no request in flight, for the first
 *     byte of its next request (nginx {@code keepalive_timeout}, HAProxy {@code timeout
 *     http-keep-alive}); closed
 * @param upstreamConnect how long a connection to an upstream or destination may take to open
 *     (reverse, forward incl. CONNECT, tcp); HTTP answers 504
 * @param upstreamFirstByte how long, after a request was sent upstream whole, the first byte of its
 *     response may take (reverse and forward HTTP; not tunnels); answered 504 and closed
 * @param tunnelIdle how long a CONNECT tunnel or a tcp connection may pass no byte in either
 *     direction (HAProxy {@code timeout tunnel}); both sides closed
 * @param maxPerSource how many connections one source address may hold open on the listener at once
 * @param maxPerTenant how many connections may carry one tenant on the listener at once
 */
public record ConnectionLimits(
    Duration requestHead,
    Duration idle,
    Duration upstreamConnect,
    Duration upstreamFirstByte,
    Duration tunnelIdle,
    int maxPerSource,
    int maxPerTenant) {

  public static final Duration DEFAULT_REQUEST_HEAD = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);
  public static final Duration DEFAULT_UPSTREAM_CONNECT = Duration.ofSeconds(10);

  /**
   * Five minutes, not nginx's 60 s: a non-streaming call to a reasoning model sends nothing until
   * it has thought, which routinely takes longer than a minute.
   */
  public static final Duration DEFAULT_UPSTREAM_FIRST_BYTE = Duration.ofMinutes(5);

  /** One hour, HAProxy's usual {@code timeout tunnel}: long enough for quiet streams. */
  public static final Duration DEFAULT_TUNNEL_IDLE = Duration.ofHours(1);

  public static final int DEFAULT_MAX_PER_SOURCE = 256;
  public static final int DEFAULT_MAX_PER_TENANT = 1024;

  /** The shortest timeout accepted (tests use it; in production it is far too short). */
  public static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

  public static final Duration MAX_REQUEST_HEAD = Duration.ofMinutes(10);
  public static final Duration MAX_IDLE = Duration.ofHours(1);
  public static final Duration MAX_UPSTREAM_CONNECT = Duration.ofMinutes(5);
  public static final Duration MAX_UPSTREAM_FIRST_BYTE = Duration.ofHours(1);
  public static final Duration MAX_TUNNEL_IDLE = Duration.ofDays(1);

  public static final int MAX_CONNECTIONS = 1_000_000;

  /** Every default. */
  public static final ConnectionLimits DEFAULTS =
      new ConnectionLimits(
          DEFAULT_REQUEST_HEAD,
          DEFAULT_IDLE,
          DEFAULT_UPSTREAM_CONNECT,
          DEFAULT_UPSTREAM_FIRST_BYTE,
          DEFAULT_TUNNEL_IDLE,
          DEFAULT_MAX_PER_SOURCE,
          DEFAULT_MAX_PER_TENANT);

  public ConnectionLimits {
    check("requestHead", requestHead, MAX_REQUEST_HEAD);
    check("idle", idle, MAX_IDLE);
    check("upstreamConnect", upstreamConnect, MAX_UPSTREAM_CONNECT);
    check("upstreamFirstByte", upstreamFirstByte, MAX_UPSTREAM_FIRST_BYTE);
    check("tunnelIdle", tunnelIdle, MAX_TUNNEL_IDLE);
    check("maxPerSource", maxPerSource);
    check("maxPerTenant", maxPerTenant);
  }

  private static void check(String name, Duration d, Duration max) {
    Objects.requireNonNull(d, name);
    if (d.compareTo(MIN_TIMEOUT) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be between " + MIN_TIMEOUT + " and " + max + ", got " + d);
    }
  }

  private static void check(String name, int n) {
    if (n < 1 || n > MAX_CONNECTIONS) {
      throw new IllegalArgumentException(
          name + " must be between 1 and " + MAX_CONNECTIONS + ", got " + n);
    }
  }
}
