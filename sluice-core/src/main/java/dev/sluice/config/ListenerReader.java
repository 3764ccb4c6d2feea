package dev.sluice.config;

import dev.sluice.net.Cidr;
import dev.sluice.net.HostPort;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads one item of {@code listeners}, checking the keys that depend on its mode. */
final class ListenerReader {

  /** A listener ({@code null} when anything was wrong) and where its name and bind were. */
  record Result(ListenerConfig config, String name, Cursor nameAt, HostPort bind, Cursor bindAt) {}

  private static final String[] KEYS = {
    "name",
    "mode",
    "bind",
    "upstream",
    "zone",
    "tenant_header",
    "tenants_by_source",
    "egress",
    "tls",
    "deny_ranges",
    "proxy_users",
    "lookups",
    "peer",
    ConnectionLimitsReader.TIMEOUTS,
    ConnectionLimitsReader.LIMITS
  };

  private ListenerReader() {}

  /**
   * @param limits the top level's timeouts and connection limits, which the listener's own sections
   *     override key by key (null when they are invalid)
   */
  static Result read(Cursor c, Map<String, Set<String>> tenantsByZone, ConnectionLimits limits) {
    int errorsBefore = c.problems().errorCount();
    YamlMap m = c.map();
    if (m == null) {
      return new Result(null, null, null, null, null);
    }
    m.allow(KEYS);
    Cursor nameAt = m.require("name");
    String name = nameAt == null ? null : nameAt.parse(Names::checkListenerName);
    Cursor modeAt = m.require("mode");
    ListenerMode mode = modeAt == null ? null : modeAt.choice(ListenerMode.class);
    Cursor bindAt = m.require("bind");
    HostPort bind = bindAt == null ? null : bindAt.parse(HostPort::parse);
    Cursor zoneAt = m.require("zone");
    String zone = zoneAt == null ? null : zoneAt.string();
    Set<String> tenants = null;
    if (zone != null && !tenantsByZone.isEmpty()) {
      tenants = tenantsByZone.get(zone);
      if (tenants == null) {
        zoneAt.error("unknown zone (zones: " + String.join(", ", tenantsByZone.keySet()) + ")");
      }
    }

    List<String> upstreams = UpstreamReader.read(m, mode);
    Cursor headerAt = m.get("tenant_header");
    String tenantHeader = null;
    if (headerAt != null && allowedFor(headerAt, mode, ListenerMode.REVERSE)) {
      tenantHeader = headerAt.parse(Names::checkHeaderName);
    }
    Cursor tlsAt = m.get("tls");
    TlsConfig tls = null;
    if (tlsAt != null && allowedFor(tlsAt, mode, ListenerMode.REVERSE)) {
      tls = TlsConfig.read(tlsAt);
    }
    Cursor egressAt = m.get("egress");
    Egress egress = null;
    if (egressAt != null && allowedFor(egressAt, mode, ListenerMode.TCP)) {
      egress = egressAt.choice(Egress.class);
    } else if (egressAt == null && mode == ListenerMode.TCP) {
      c.problems()
          .error(
              c.ownerLine(),
              Cursor.childPath(c.path(), "egress"),
              "is required for tcp listeners (upstream or client)",
              null);
    }
    Map<String, String> bySource = new LinkedHashMap<>();
    Cursor sourcesAt = m.get("tenants_by_source");
    if (sourcesAt != null && allowedFor(sourcesAt, mode, ListenerMode.FORWARD, ListenerMode.TCP)) {
      bySource = SourceTenantsReader.read(sourcesAt, zone, tenants);
    }
    ForwardConfig forward = readForward(m, mode, zone, tenants);
    Peer peer = readPeer(m.get("peer"), mode);
    ConnectionLimits own =
        ConnectionLimitsReader.read(
            m.get(ConnectionLimitsReader.TIMEOUTS), m.get(ConnectionLimitsReader.LIMITS), limits);
    // A zone or tenant name that is itself invalid was reported under budgets; build nothing.
    if (c.problems().errorCount() > errorsBefore
        || tenants == null
        || !Names.isNodeName(zone)
        || !bySource.values().stream().allMatch(Names::isNodeName)
        || (mode == ListenerMode.FORWARD && forward == null)
        || peer == null
        || own == null) {
      return new Result(null, name, nameAt, bind, bindAt);
    }
    ListenerConfig config =
        new ListenerConfig(
            name,
            mode,
            bind,
            upstreams,
            zone,
            tenantHeader,
            bySource,
            egress,
            tls,
            forward,
            peer,
            own);
    return new Result(config, name, nameAt, bind, bindAt);
  }

  /** The forward settings of a forward listener; null for other modes or when invalid. */
  private static ForwardConfig readForward(
      YamlMap m, ListenerMode mode, String zone, Set<String> tenants) {
    Cursor rangesAt = m.get("deny_ranges");
    Cursor usersAt = m.get("proxy_users");
    Cursor lookupsAt = m.get("lookups");
    boolean rangesOk = rangesAt == null || allowedFor(rangesAt, mode, ListenerMode.FORWARD);
    boolean usersOk = usersAt == null || allowedFor(usersAt, mode, ListenerMode.FORWARD);
    boolean lookupsOk = lookupsAt == null || allowedFor(lookupsAt, mode, ListenerMode.FORWARD);
    if (mode != ListenerMode.FORWARD || !rangesOk || !usersOk || !lookupsOk) {
      return null;
    }
    List<Cidr> ranges = ForwardReader.denyRanges(rangesAt);
    Map<String, ProxyUserConfig> users = ForwardReader.proxyUsers(usersAt, zone, tenants);
    LookupConfig lookups = ForwardReader.lookups(lookupsAt);
    return ranges == null || users == null || lookups == null
        ? null
        : new ForwardConfig(ranges, users, lookups);
  }

  /**
   * {@code peer: direct|edge}; direct when absent; null (reported) when invalid or when edge is put
   * on a tcp listener.
   */
  private static Peer readPeer(Cursor at, ListenerMode mode) {
    if (at == null) {
      return Peer.DIRECT;
    }
    Peer peer = at.choice(Peer.class);
    if (peer == Peer.EDGE && mode == ListenerMode.TCP) {
      at.error(
          "peer: edge is only supported on reverse and forward listeners (this one is tcp: a tcp"
              + " listener carries no HTTP stream for the edge to restore; put a reverse or"
              + " forward listener in front)");
      return null;
    }
    return peer;
  }

  /** False (and reported) when {@code mode} is known and not one of {@code allowed}. */
  static boolean allowedFor(Cursor at, ListenerMode mode, ListenerMode... allowed) {
    if (mode == null) {
      return false;
    }
    for (ListenerMode a : allowed) {
      if (a == mode) {
        return true;
      }
    }
    StringBuilder list = new StringBuilder();
    for (ListenerMode a : allowed) {
      list.append(list.length() == 0 ? "" : " and ").append(a.name().toLowerCase(Locale.ROOT));
    }
    at.errorNoValue(
        "only allowed for "
            + list
            + " listeners (this one is "
            + mode.name().toLowerCase(Locale.ROOT)
            + ")");
    return false;
  }
}
