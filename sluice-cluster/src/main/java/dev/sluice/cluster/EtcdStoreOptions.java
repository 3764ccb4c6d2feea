package dev.sluice.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of an {@link EtcdBudgetStore}. Validated on construction; every message names the field
 * and the value that is wrong.
 *
 * @param endpoints etcd client URLs, {@code http://host:port} (TLS is not supported yet), at least
 *     one
 * @param prefix key prefix of this site's budget, e.g. {@code /sluice/berlin}: starts with {@code
 *     /}, has no trailing {@code /}, no empty segment and no white space
 * @param nodeId this gateway node's id ({@code [a-z0-9][a-z0-9_.-]{0,63}}); names its grants,
 *     escrow sets and liveness key, so every gateway node of a site needs its own
 * @param grantTtl how long a grant may be spent without renewal (also the liveness lease's TTL); at
 *     least one second
 * @param operationTimeout the deadline of every etcd call: a grant that cannot finish in time is
 *     answered {@code Unavailable} (fail closed); 100 ms to 1 min
 */
public record EtcdStoreOptions(
    List<URI> endpoints,
    String prefix,
    String nodeId,
    Duration grantTtl,
    Duration operationTimeout) {

  /** The deadline of an etcd call unless configured otherwise. */
  public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(2);

  static final Duration MIN_OPERATION_TIMEOUT = Duration.ofMillis(100);
  static final Duration MAX_OPERATION_TIMEOUT = Duration.ofMinutes(1);

  /** Valid gateway node ids (the same rule as the configuration's {@code node_id}). */
  public static final Pattern NODE_ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

  private static final Pattern PREFIX = Pattern.compile("(/[\\x21-\\x2e\\x30-\\x7e]+)+");

  public EtcdStoreOptions {
    Objects.requireNonNull(endpoints, "endpoints");
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints: at least one etcd endpoint is required");
    }
    for (URI u : endpoints) {
      checkEndpoint(u);
    }
    Objects.requireNonNull(prefix, "prefix");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "prefix: '"
              + prefix
              + "' must start with '/', have no trailing '/', no empty segment and only printable"
              + " ASCII without spaces, e.g. /sluice/site1");
    }
    Objects.requireNonNull(nodeId, "nodeId");
    if (!NODE_ID.matcher(nodeId).matches()) {
      throw new IllegalArgumentException(
          "nodeId: '"
              + nodeId
              + "' must be 1..64 characters of a-z, 0-9, '_', '.', '-', starting with a letter or"
              + " digit");
    }
    Objects.requireNonNull(grantTtl, "grantTtl");
    if (grantTtl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("grantTtl: " + grantTtl + " is shorter than 1s");
    }
    Objects.requireNonNull(operationTimeout, "operationTimeout");
    if (operationTimeout.compareTo(MIN_OPERATION_TIMEOUT) < 0
        || operationTimeout.compareTo(MAX_OPERATION_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "operationTimeout: " + operationTimeout + " is outside 100ms..1m");
    }
  }

  /** Options with the default operation timeout ({@link #DEFAULT_OPERATION_TIMEOUT}). */
  public EtcdStoreOptions(List<URI> endpoints, String prefix, String nodeId, Duration grantTtl) {
    this(endpoints, prefix, nodeId, grantTtl, DEFAULT_OPERATION_TIMEOUT);
  }

  private static void checkEndpoint(URI u) {
    Objects.requireNonNull(u, "endpoints: null endpoint");
    String why = null;
    if (!"http".equals(u.getScheme())) {
      why = "only http:// endpoints are supported";
    } else if (u.getHost() == null || u.getPort() <= 0) {
      why = "need http://host:port";
    } else if (u.getRawUserInfo() != null
        || u.getRawQuery() != null
        || u.getRawFragment() != null
        || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))) {
      why = "need http://host:port without user, path, query or fragment";
    }
    if (why != null) {
      throw new IllegalArgumentException("endpoints: '" + u + "': " + why);
    }
  }
}
