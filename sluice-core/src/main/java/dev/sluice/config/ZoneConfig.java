package dev.sluice.config;

import java.util.List;
import java.util.Map;

/**
 * A part of the site with its own budget: its limits, its tenants (at least one) and its
 * destination patterns. Unknown destinations are denied unless {@code allowUnknownDestinations}.
 */
public record ZoneConfig(
    String name,
    List<LimitConfig> limits,
    Map<String, TenantConfig> tenants,
    Map<String, DestinationConfig> destinations,
    boolean allowUnknownDestinations) {

  public ZoneConfig {
    Names.checkNodeName("zone", name);
    limits = LimitConfig.copyOf(limits, "zone " + name);
    tenants = Immutables.namedCopy(tenants, TenantConfig::name, "tenants");
    destinations = Immutables.namedCopy(destinations, DestinationConfig::pattern, "destinations");
    if (tenants.isEmpty()) {
      throw new IllegalArgumentException("zone " + name + " needs at least one tenant");
    }
  }
}
