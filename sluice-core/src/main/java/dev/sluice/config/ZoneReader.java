package dev.sluice.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one zone of {@code budgets.zones}: limits, tenants, destinations, unknown policy and {@code
 * max_transfer}.
 */
final class ZoneReader {

  private ZoneReader() {}

  /**
   * The zone, or {@code null} when anything in it was wrong. Tenant names are added to {@code
   * tenantNames} as written, valid or not, for the listener checks.
   */
  static ZoneConfig read(
      YamlMap.Entry entry,
      long weightBytes,
      List<LimitsReader.Located> siteLimits,
      Set<String> tenantNames,
      DetectionConfig siteDetection) {
    Cursor c = entry.value();
    int errorsBefore = c.problems().errorCount();
    String name = entry.keyAt().parse(n -> Names.checkNodeName("zone", n));
    YamlMap m = c.map();
    if (m == null) {
      return null;
    }
    m.allow(
        "limits", "tenants", "destinations", "unknown_destinations", "max_transfer", "detection");
    List<LimitsReader.Located> limits = LimitsReader.read(m.get("limits"), weightBytes);
    CapWarnings.check(limits, siteLimits, "site");

    Map<String, TenantConfig> tenants = new LinkedHashMap<>();
    Cursor tenantsAt = m.require("tenants");
    YamlMap tenantsMap = tenantsAt == null ? null : tenantsAt.map();
    if (tenantsMap != null) {
      if (tenantsMap.entries().isEmpty()) {
        tenantsAt.error("a zone needs at least one tenant");
      }
      for (YamlMap.Entry e : tenantsMap.entries()) {
        tenantNames.add(e.key());
        String tenant = e.keyAt().parse(n -> Names.checkNodeName("tenant", n));
        List<LimitsReader.Located> own = childLimits(e.value(), weightBytes);
        CapWarnings.check(own, limits, "zone " + entry.key());
        if (tenant != null) {
          tenants.put(tenant, new TenantConfig(tenant, LimitsReader.limits(own)));
        }
      }
    }

    Map<String, DestinationConfig> destinations = new LinkedHashMap<>();
    Cursor destAt = m.get("destinations");
    YamlMap destMap = destAt == null ? null : destAt.map();
    for (YamlMap.Entry e : destMap == null ? List.<YamlMap.Entry>of() : destMap.entries()) {
      String pattern = e.keyAt().parse(HostPatterns::check);
      List<LimitsReader.Located> own = childLimits(e.value(), weightBytes);
      CapWarnings.check(own, limits, "zone " + entry.key());
      if (pattern != null) {
        destinations.put(pattern, new DestinationConfig(pattern, LimitsReader.limits(own)));
      }
    }

    Cursor unknownAt = m.get("unknown_destinations");
    UnknownDestinations unknown =
        unknownAt == null ? UnknownDestinations.DENY : unknownAt.choice(UnknownDestinations.class);
    Cursor maxAt = m.get("max_transfer");
    Long maxTransfer =
        maxAt == null ? Long.valueOf(ZoneConfig.UNLIMITED) : Scalars.size(maxAt, 1, Long.MAX_VALUE);
    Cursor detectionAt = m.get("detection");
    DetectionConfig detection =
        detectionAt == null ? null : DetectionReader.read(detectionAt, siteDetection);
    if (c.problems().errorCount() > errorsBefore
        || name == null
        || unknown == null
        || maxTransfer == null) {
      return null;
    }
    return new ZoneConfig(
        name,
        LimitsReader.limits(limits),
        tenants,
        destinations,
        unknown == UnknownDestinations.ALLOW,
        maxTransfer,
        detection);
  }

  /** The limits of a tenant or destination: {@code { limits: [...] }} ({@code {}} for none). */
  private static List<LimitsReader.Located> childLimits(Cursor c, long weightBytes) {
    if (c.got().equals("null")) {
      c.error("expected a map; write {} for no limits of its own");
      return List.of();
    }
    YamlMap m = c.map();
    if (m == null) {
      return List.of();
    }
    m.allow("limits");
    return LimitsReader.read(m.get("limits"), weightBytes);
  }

  /** The values of {@code unknown_destinations}. */
  private enum UnknownDestinations {
    DENY,
    ALLOW
  }
}
