package dev.sluice.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The budget store, and this gateway node's name in it.
 *
 * @param type where the counters live
 * @param nodeId this gateway node's id (top-level {@code node_id}); names its grants, escrow sets
 *     and liveness key in a shared store, so every node of a site needs its own. {@code null} for a
 *     local store that was given none
 * @param etcd the etcd settings when {@code type} is {@link StoreType#ETCD}, else {@code null}
 */
public record StoreConfig(StoreType type, String nodeId, Etcd etcd) {

  /** The store used when nothing is configured. */
  public static final StoreConfig DEFAULT = new StoreConfig(StoreType.LOCAL);

  /** Valid gateway node ids: they become parts of etcd keys and metric label values. */
  public static final Pattern NODE_ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");

  /** How long one etcd operation may take before the grant counts as unavailable: {@code 2s}. */
  public static final Duration DEFAULT_ETCD_TIMEOUT = Duration.ofSeconds(2);

  public static final Duration MIN_ETCD_TIMEOUT = Duration.ofMillis(100);
  public static final Duration MAX_ETCD_TIMEOUT = Duration.ofMinutes(1);

  public StoreConfig {
    Objects.requireNonNull(type, "type");
    if (nodeId != null) {
      checkNodeId(nodeId);
    }
    if (type == StoreType.ETCD) {
      Objects.requireNonNull(etcd, "etcd settings are required for an etcd store");
      Objects.requireNonNull(nodeId, "node_id is required for an etcd store");
    } else if (etcd != null) {
      throw new IllegalArgumentException("etcd settings given for a " + type + " store");
    }
  }

  /** A store of {@code type} without node id or etcd settings. */
  public StoreConfig(StoreType type) {
    this(type, null, null);
  }

  /** Checks a gateway node id; the message names the rule. */
  public static String checkNodeId(String id) {
    if (!NODE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "node id must be 1..64 characters of a-z, 0-9, '_', '.', '-', starting with a letter or"
              + " digit");
    }
    return id;
  }

  /**
   * Settings of the etcd store.
   *
   * @param endpoints etcd client URLs ({@code http://host:port}), at least one
   * @param prefix key prefix of this site's budget, e.g. {@code /sluice/SITE}: starts with {@code
   *     /}, no trailing {@code /}
   * @param timeout deadline of every etcd operation; a grant that cannot finish in time is refused
   *     as unavailable (fail closed)
   */
  public record Etcd(List<URI> endpoints, String prefix, Duration timeout) {
    public Etcd {
      endpoints = List.copyOf(endpoints);
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException("at least one etcd endpoint is required");
      }
      for (URI u : endpoints) {
        checkEndpoint(u.toString());
      }
      checkPrefix(prefix);
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(MIN_ETCD_TIMEOUT) < 0 || timeout.compareTo(MAX_ETCD_TIMEOUT) > 0) {
        throw new IllegalArgumentException("etcd timeout must be 100ms..1m");
      }
    }
  }

  /** Parses an etcd client URL: {@code http://host:port}, nothing after the port. */
  public static URI checkEndpoint(String s) {
    URI u;
    try {
      u = new URI(s);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getReason());
    }
    if (!"http".equals(u.getScheme())) {
      throw new IllegalArgumentException(
          "etcd endpoint must be an http:// URL such as http://10.0.0.5:2379 (TLS to etcd is not"
              + " supported yet)");
    }
    if (u.getHost() == null || u.getPort() < 1) {
      throw new IllegalArgumentException(
          "etcd endpoint needs a host and a port, e.g. http://10.0.0.5:2379");
    }
    if (u.getUserInfo() != null
        || (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
        || u.getRawQuery() != null
        || u.getRawFragment() != null) {
      throw new IllegalArgumentException("etcd endpoint must be only http://host:port");
    }
    return URI.create("http://" + u.getRawAuthority());
  }

  /** Checks a key prefix: {@code /a/b}, printable ASCII without spaces, no trailing slash. */
  public static String checkPrefix(String p) {
    if (p == null
        || p.length() < 2
        || p.length() > 200
        || p.charAt(0) != '/'
        || p.endsWith("/")
        || p.contains("//")
        || !p.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
      throw new IllegalArgumentException(
          "prefix must start with '/', have no trailing '/', no empty segment and no spaces, at"
              + " most 200 characters, e.g. /sluice/site-a");
    }
    return p;
  }
}
