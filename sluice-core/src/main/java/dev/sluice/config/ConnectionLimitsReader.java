package dev.sluice.config;

import java.time.Duration;

/**
 * Reads {@code timeouts:} and {@code connection_limits:}, at the top level (over the built-in
 * defaults) and in a listener (over the top level's values). Each key that is absent keeps the
 * value it overrides; an invalid one is reported with its key and value and the result is null.
 */
final class ConnectionLimitsReader {

  static final String TIMEOUTS = "timeouts";
  static final String LIMITS = "connection_limits";

  private ConnectionLimitsReader() {}

  /**
   * {@code base} with what {@code timeoutsAt} and {@code limitsAt} (each may be null) set; null
   * when either has an error.
   */
  static ConnectionLimits read(Cursor timeoutsAt, Cursor limitsAt, ConnectionLimits base) {
    if (base == null) {
      return null;
    }
    Duration head = base.requestHead();
    Duration idle = base.idle();
    Duration connect = base.upstreamConnect();
    Duration firstByte = base.upstreamFirstByte();
    Duration tunnel = base.tunnelIdle();
    boolean ok = true;
    if (timeoutsAt != null) {
      YamlMap m = timeoutsAt.map();
      if (m == null) {
        return null;
      }
      m.allow("request_head", "idle", "upstream_connect", "upstream_first_byte", "tunnel_idle");
      int errorsBefore = timeoutsAt.problems().errorCount();
      head = duration(m.get("request_head"), head, ConnectionLimits.MAX_REQUEST_HEAD);
      idle = duration(m.get("idle"), idle, ConnectionLimits.MAX_IDLE);
      connect = duration(m.get("upstream_connect"), connect, ConnectionLimits.MAX_UPSTREAM_CONNECT);
      firstByte =
          duration(
              m.get("upstream_first_byte"), firstByte, ConnectionLimits.MAX_UPSTREAM_FIRST_BYTE);
      tunnel = duration(m.get("tunnel_idle"), tunnel, ConnectionLimits.MAX_TUNNEL_IDLE);
      ok = timeoutsAt.problems().errorCount() == errorsBefore;
    }
    Long perSource = (long) base.maxPerSource();
    Long perTenant = (long) base.maxPerTenant();
    if (limitsAt != null) {
      YamlMap m = limitsAt.map();
      if (m == null) {
        return null;
      }
      m.allow("per_source", "per_tenant");
      int errorsBefore = limitsAt.problems().errorCount();
      perSource = count(m.get("per_source"), perSource);
      perTenant = count(m.get("per_tenant"), perTenant);
      ok = ok && limitsAt.problems().errorCount() == errorsBefore;
    }
    if (!ok) {
      return null;
    }
    return new ConnectionLimits(
        head, idle, connect, firstByte, tunnel, perSource.intValue(), perTenant.intValue());
  }

  private static Duration duration(Cursor at, Duration dflt, Duration max) {
    return at == null ? dflt : Scalars.duration(at, ConnectionLimits.MIN_TIMEOUT, max);
  }

  private static Long count(Cursor at, Long dflt) {
    return at == null ? dflt : Scalars.count(at, 1, ConnectionLimits.MAX_CONNECTIONS);
  }
}
