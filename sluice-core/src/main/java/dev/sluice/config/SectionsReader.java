package dev.sluice.config;

import dev.sluice.net.HostPort;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the small optional sections: {@code admin}, {@code store}, {@code ledger} and {@code
 * escrow}. Each returns its defaults when the section is absent and {@code null} when it has
 * errors.
 */
final class SectionsReader {

  private SectionsReader() {}

  /**
   * The admin section: its bind address ({@code null} when invalid) and where it was written (or
   * null), and the whole config ({@code null} when anything in it is invalid).
   */
  record Admin(HostPort bind, Cursor bindAt, AdminConfig config) {}

  static Admin admin(Cursor c) {
    if (c == null) {
      return new Admin(AdminConfig.DEFAULT_BIND, null, new AdminConfig(AdminConfig.DEFAULT_BIND));
    }
    YamlMap m = c.map();
    if (m == null) {
      return new Admin(null, null, null);
    }
    m.allow(
        "bind",
        "request_timeout",
        "idle_timeout",
        "max_connections_per_source",
        "tls",
        "plaintext_on_network");
    int errorsBefore = c.problems().errorCount();
    Cursor bindAt = m.get("bind");
    HostPort bind = bindAt == null ? AdminConfig.DEFAULT_BIND : bindAt.parse(HostPort::parse);
    Cursor requestAt = m.get("request_timeout");
    Duration request =
        requestAt == null
            ? AdminConfig.DEFAULT_REQUEST_TIMEOUT
            : Scalars.duration(
                requestAt, AdminConfig.MIN_REQUEST_TIMEOUT, AdminConfig.MAX_REQUEST_TIMEOUT);
    Cursor idleAt = m.get("idle_timeout");
    Duration idle =
        idleAt == null
            ? AdminConfig.DEFAULT_IDLE_TIMEOUT
            : Scalars.duration(idleAt, AdminConfig.MIN_IDLE_TIMEOUT, AdminConfig.MAX_IDLE_TIMEOUT);
    Cursor perSourceAt = m.get("max_connections_per_source");
    Long perSource =
        perSourceAt == null
            ? Long.valueOf(AdminConfig.DEFAULT_MAX_CONNECTIONS_PER_SOURCE)
            : Scalars.count(
                perSourceAt,
                AdminConfig.MIN_MAX_CONNECTIONS_PER_SOURCE,
                AdminConfig.MAX_MAX_CONNECTIONS_PER_SOURCE);
    Cursor tlsAt = m.get("tls");
    TlsConfig tls = tlsAt == null ? null : TlsConfig.read(tlsAt);
    Cursor plaintextAt = m.get("plaintext_on_network");
    Boolean plaintext = plaintextAt == null ? Boolean.FALSE : plaintextAt.bool();
    if (tlsAt != null && Boolean.TRUE.equals(plaintext)) {
      plaintextAt.error("contradicts admin.tls (with TLS the admin API is not plain HTTP)");
    } else if (bind != null
        && !AdminConfig.isLoopback(bind)
        && tlsAt == null
        && Boolean.FALSE.equals(plaintext)) {
      bindAt.error(
          "not a loopback address, so the admin token and the halt switch would cross the"
              + " network: set admin.tls { cert, key } to serve HTTPS, or"
              + " admin.plaintext_on_network: true to accept plain HTTP on the network");
    }
    AdminConfig config =
        c.problems().errorCount() > errorsBefore
            ? null
            : new AdminConfig(bind, request, idle, perSource.intValue(), tls, plaintext);
    return new Admin(bind, bindAt, config);
  }

  /**
   * The store section: the store (null when invalid) and its {@code grant_ttl} when written there
   * (null otherwise; it then comes from {@code escrow.grant_ttl}).
   */
  record Store(StoreConfig config, Duration grantTtl, Cursor grantTtlAt) {}

  /**
   * Reads {@code store} with the top-level {@code node_id} ({@code nodeIdAt}, may be null) and the
   * site name (null when invalid), which gives the default etcd prefix {@code /sluice/SITE}.
   */
  static Store store(Cursor c, Cursor nodeIdAt, String site) {
    String nodeId = nodeIdAt == null ? null : nodeIdAt.parse(StoreConfig::checkNodeId);
    boolean nodeIdOk = nodeIdAt == null || nodeId != null;
    if (c == null) {
      return new Store(
          nodeIdOk ? new StoreConfig(StoreType.LOCAL, nodeId, null) : null, null, null);
    }
    YamlMap m = c.map();
    if (m == null) {
      return new Store(null, null, null);
    }
    m.allow("type", "endpoints", "prefix", "grant_ttl", "timeout");
    int errorsBefore = c.problems().errorCount();
    Cursor typeAt = m.get("type");
    StoreType type = typeAt == null ? StoreType.LOCAL : typeAt.choice(StoreType.class);
    Cursor ttlAt = m.get("grant_ttl");
    Duration ttl =
        ttlAt == null
            ? null
            : Scalars.duration(ttlAt, EscrowConfig.MIN_GRANT_TTL, EscrowConfig.MAX_GRANT_TTL);
    if (type == null) {
      return new Store(null, ttl, ttlAt);
    }
    if (type == StoreType.LOCAL) {
      for (String key : new String[] {"endpoints", "prefix", "timeout"}) {
        Cursor at = m.get(key);
        if (at != null) {
          at.error("only for store.type etcd; the local store keeps its counters in data_dir");
        }
      }
      boolean ok = nodeIdOk && c.problems().errorCount() == errorsBefore;
      return new Store(ok ? new StoreConfig(StoreType.LOCAL, nodeId, null) : null, ttl, ttlAt);
    }
    if (nodeIdAt == null) {
      (typeAt == null ? c : typeAt)
          .error(
              "an etcd store needs node_id at the top level: a name unique to this gateway node,"
                  + " e.g. node_id: gw-1");
    }
    Cursor endpointsAt = m.require("endpoints");
    List<URI> endpoints = new ArrayList<>();
    if (endpointsAt != null) {
      List<Cursor> items = endpointsAt.oneOrList();
      if (items != null) {
        if (items.isEmpty()) {
          endpointsAt.error("at least one etcd endpoint is required, e.g. [http://10.0.0.5:2379]");
        }
        for (Cursor item : items) {
          URI u = item.parse("a URL such as http://10.0.0.5:2379", StoreConfig::checkEndpoint);
          if (u != null && endpoints.contains(u)) {
            item.error("endpoint listed twice");
          } else if (u != null) {
            endpoints.add(u);
          }
        }
      }
    }
    Cursor prefixAt = m.get("prefix");
    String prefix =
        prefixAt == null
            ? (site == null ? null : "/sluice/" + site)
            : prefixAt.parse(StoreConfig::checkPrefix);
    Cursor timeoutAt = m.get("timeout");
    Duration timeout =
        timeoutAt == null
            ? StoreConfig.DEFAULT_ETCD_TIMEOUT
            : Scalars.duration(
                timeoutAt, StoreConfig.MIN_ETCD_TIMEOUT, StoreConfig.MAX_ETCD_TIMEOUT);
    if (c.problems().errorCount() > errorsBefore || nodeId == null || prefix == null) {
      return new Store(null, ttl, ttlAt);
    }
    return new Store(
        new StoreConfig(StoreType.ETCD, nodeId, new StoreConfig.Etcd(endpoints, prefix, timeout)),
        ttl,
        ttlAt);
  }

  /** The ledger section; {@code site} (null when invalid) provides the default origin. */
  static LedgerConfig ledger(Cursor c, String site) {
    String defaultOrigin = site == null ? null : LedgerConfig.defaultOrigin(site);
    if (c == null) {
      return site == null ? null : LedgerConfig.defaults(site);
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("origin", "signing_key", "checkpoint_interval", "max_batch");
    int errorsBefore = c.problems().errorCount();
    Cursor originAt = m.get("origin");
    String origin = originAt == null ? defaultOrigin : originAt.parse(LedgerConfig::checkOrigin);
    Cursor keyAt = m.get("signing_key");
    Path key = keyAt == null ? null : Scalars.path(keyAt);
    Cursor intervalAt = m.get("checkpoint_interval");
    Duration interval =
        intervalAt == null
            ? LedgerConfig.DEFAULT_CHECKPOINT_INTERVAL
            : Scalars.duration(
                intervalAt,
                LedgerConfig.MIN_CHECKPOINT_INTERVAL,
                LedgerConfig.MAX_CHECKPOINT_INTERVAL);
    Cursor batchAt = m.get("max_batch");
    Long batch =
        batchAt == null
            ? Long.valueOf(LedgerConfig.DEFAULT_MAX_BATCH)
            : Scalars.size(batchAt, LedgerConfig.MIN_MAX_BATCH, LedgerConfig.MAX_MAX_BATCH);
    if (c.problems().errorCount() > errorsBefore || origin == null) {
      return null;
    }
    return new LedgerConfig(origin, key, interval, batch);
  }

  /**
   * The escrow section. {@code storeTtl} is {@code store.grant_ttl} when written there (else null):
   * it sets the grant ttl; written in both places, the two must agree.
   */
  static EscrowConfig escrow(Cursor c, Duration storeTtl, Cursor storeTtlAt) {
    if (c == null) {
      return storeTtl == null
          ? EscrowConfig.DEFAULTS
          : new EscrowConfig(
              EscrowConfig.DEFAULT_MIN_CHUNK,
              EscrowConfig.DEFAULT_MAX_CHUNK,
              EscrowConfig.DEFAULT_LOW_WATER_PERCENT,
              storeTtl);
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("min_chunk", "max_chunk", "low_water", "grant_ttl");
    int errorsBefore = c.problems().errorCount();
    Cursor minAt = m.get("min_chunk");
    Long min =
        minAt == null
            ? Long.valueOf(EscrowConfig.DEFAULT_MIN_CHUNK)
            : Scalars.size(minAt, 1, Long.MAX_VALUE);
    Cursor maxAt = m.get("max_chunk");
    Long max =
        maxAt == null
            ? Long.valueOf(EscrowConfig.DEFAULT_MAX_CHUNK)
            : Scalars.size(maxAt, 1, Long.MAX_VALUE);
    if (min != null && max != null && min > max) {
      if (maxAt != null) {
        maxAt.error("must be at least escrow.min_chunk (" + ByteSizes.format(min) + ")");
      } else {
        minAt.error("must be at most escrow.max_chunk (" + ByteSizes.format(max) + ")");
      }
    }
    Cursor lowAt = m.get("low_water");
    Integer low =
        lowAt == null
            ? Integer.valueOf(EscrowConfig.DEFAULT_LOW_WATER_PERCENT)
            : Scalars.percent(
                lowAt, EscrowConfig.MIN_LOW_WATER_PERCENT, EscrowConfig.MAX_LOW_WATER_PERCENT);
    Cursor ttlAt = m.get("grant_ttl");
    Duration ttl =
        ttlAt == null
            ? (storeTtl != null ? storeTtl : EscrowConfig.DEFAULT_GRANT_TTL)
            : Scalars.duration(ttlAt, EscrowConfig.MIN_GRANT_TTL, EscrowConfig.MAX_GRANT_TTL);
    if (ttl != null && storeTtl != null && !ttl.equals(storeTtl)) {
      storeTtlAt.error(
          "differs from escrow.grant_ttl ("
              + Durations.format(ttl)
              + "); they are one setting, write it in one place");
    }
    if (c.problems().errorCount() > errorsBefore) {
      return null;
    }
    return new EscrowConfig(min, max, low, ttl);
  }
}
