package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads the small optional sections: {@code admin}, {@code store}, {@code ledger} and {@code
 * escrow}. Each returns its defaults when the section is absent and {@code null} when it has
 * errors.
 */
final class SectionsReader {

  private SectionsReader() {}

  /** The admin bind address ({@code null} when invalid) and where it was written (or null). */
  record Admin(HostPort bind, Cursor bindAt) {}

  static Admin admin(Cursor c) {
    if (c == null) {
      return new Admin(AdminConfig.DEFAULT_BIND, null);
    }
    YamlMap m = c.map();
    if (m == null) {
      return new Admin(null, null);
    }
    m.allow("bind");
    Cursor bindAt = m.get("bind");
    return bindAt == null
        ? new Admin(AdminConfig.DEFAULT_BIND, null)
        : new Admin(bindAt.parse(HostPort::parse), bindAt);
  }

  static StoreConfig store(Cursor c) {
    if (c == null) {
      return StoreConfig.DEFAULT;
    }
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow("type");
    Cursor typeAt = m.get("type");
    if (typeAt == null) {
      return StoreConfig.DEFAULT;
    }
    String type = typeAt.string();
    if (type == null) {
      return null;
    }
    if (type.equals("local")) {
      return StoreConfig.DEFAULT;
    }
    typeAt.error(
        type.equals("etcd")
            ? "the etcd store is not available in this version; only local is supported"
            : "unknown store type; only local is supported");
    return null;
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

  static EscrowConfig escrow(Cursor c) {
    if (c == null) {
      return EscrowConfig.DEFAULTS;
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
            ? EscrowConfig.DEFAULT_GRANT_TTL
            : Scalars.duration(ttlAt, EscrowConfig.MIN_GRANT_TTL, EscrowConfig.MAX_GRANT_TTL);
    if (c.problems().errorCount() > errorsBefore) {
      return null;
    }
    return new EscrowConfig(min, max, low, ttl);
  }
}
