package dev.sluice.config;

import dev.sluice.net.Cidr;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the keys only a forward listener has: {@code deny_ranges} (a list of CIDRs; absent means
 * {@link ForwardConfig#DEFAULT_DENY_RANGES}, {@code []} means none) and {@code proxy_users} (user
 * name to {@code { tenant, password_sha256 }}).
 */
final class ForwardReader {

  private ForwardReader() {}

  /** The deny ranges, or {@code null} when anything was wrong (and then reported). */
  static List<Cidr> denyRanges(Cursor at) {
    if (at == null) {
      return ForwardConfig.DEFAULT_DENY_RANGES;
    }
    int errorsBefore = at.problems().errorCount();
    List<Cursor> items = at.list();
    if (items == null) {
      return null;
    }
    List<Cidr> out = new ArrayList<>();
    Map<Cidr, Cursor> seen = new HashMap<>();
    for (Cursor item : items) {
      Cidr cidr = item.parse("a CIDR such as 10.0.0.0/8", Cidr::parse);
      if (cidr == null) {
        continue;
      }
      Cursor first = seen.putIfAbsent(cidr, item);
      if (first != null) {
        item.error("the same network as line " + first.line());
      } else {
        out.add(cidr);
      }
    }
    return at.problems().errorCount() > errorsBefore ? null : out;
  }

  /**
   * The proxy users, or {@code null} when anything was wrong. {@code tenants} are the zone's tenant
   * names, or {@code null} when the zone is unknown (already reported; then tenants are not
   * checked).
   */
  static Map<String, ProxyUserConfig> proxyUsers(Cursor at, String zone, Set<String> tenants) {
    Map<String, ProxyUserConfig> out = new LinkedHashMap<>();
    if (at == null) {
      return out;
    }
    int errorsBefore = at.problems().errorCount();
    YamlMap m = at.map();
    if (m == null) {
      return null;
    }
    for (YamlMap.Entry e : m.entries()) {
      String name = e.keyAt().parse(n -> Names.checkNodeName("proxy user", n));
      YamlMap user = e.value().map();
      if (user == null) {
        continue;
      }
      user.allow("tenant", "password_sha256");
      Cursor tenantAt = user.require("tenant");
      String tenant = tenantAt == null ? null : tenantAt.string();
      if (tenant != null && tenants != null && !tenants.contains(tenant)) {
        tenantAt.error(
            "zone " + zone + " has no such tenant (tenants: " + String.join(", ", tenants) + ")");
      }
      Cursor digestAt = user.require("password_sha256");
      String digest = digestAt == null ? null : digestAt.parse(ProxyUserConfig::checkDigest);
      if (name != null && tenant != null && digest != null && Names.isNodeName(tenant)) {
        out.put(name, new ProxyUserConfig(name, tenant, digest));
      }
    }
    return at.problems().errorCount() > errorsBefore ? null : out;
  }

  /** The lookup settings, or {@code null} when anything was wrong (and then reported). */
  static LookupConfig lookups(Cursor at) {
    if (at == null) {
      return LookupConfig.defaults();
    }
    int errorsBefore = at.problems().errorCount();
    YamlMap m = at.map();
    if (m == null) {
      return null;
    }
    m.allow("per_minute", "cache_size", "cache_ttl", "negative_ttl");
    Long perMinute = LookupConfig.DEFAULT_PER_MINUTE + 0L;
    Cursor c = m.get("per_minute");
    if (c != null) {
      perMinute = Scalars.count(c, 0, LookupConfig.MAX_PER_MINUTE);
    }
    Long size = LookupConfig.DEFAULT_CACHE_SIZE + 0L;
    c = m.get("cache_size");
    if (c != null) {
      size = Scalars.count(c, 1, LookupConfig.MAX_CACHE_SIZE);
    }
    Duration ttl = LookupConfig.DEFAULT_CACHE_TTL;
    c = m.get("cache_ttl");
    if (c != null) {
      ttl = Scalars.duration(c, Duration.ZERO, LookupConfig.MAX_TTL);
    }
    Duration negative = LookupConfig.DEFAULT_NEGATIVE_TTL;
    c = m.get("negative_ttl");
    if (c != null) {
      negative = Scalars.duration(c, Duration.ZERO, LookupConfig.MAX_TTL);
    }
    if (at.problems().errorCount() > errorsBefore
        || perMinute == null
        || size == null
        || ttl == null
        || negative == null) {
      return null;
    }
    return new LookupConfig(perMinute.intValue(), size.intValue(), ttl, negative);
  }
}
