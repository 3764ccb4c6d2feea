package dev.sluice.config;

import java.util.List;
import java.util.Map;

/**
 * A part of the site with its own budget: its limits, its tenants (at least one) and its
 * destination patterns. Unknown destinations are denied unless {@code allowUnknownDestinations}.
 *
 * <p>{@code maxTransfer} ({@code budgets.zones.Z.max_transfer}) is the most bytes one response,
 * request or tunnel of the zone may send out, or {@link #UNLIMITED}; larger transfers are refused
 * ({@code transfer_too_large}) unless operators approved them.
 *
 * <p>{@code detection} is the zone's {@code detection} section over the site's, or null when the
 * zone has none (the site's applies: {@link SluiceConfig#detection(String)}).
 */
public record ZoneConfig(
    String name,
    List<LimitConfig> limits,
    Map<String, TenantConfig> tenants,
    Map<String, DestinationConfig> destinations,
    boolean allowUnknownDestinations,
    long maxTransfer,
    DetectionConfig detection) {

  /** {@link #maxTransfer()} of a zone without {@code max_transfer}. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  /** A zone without a detection section of its own. */
  public ZoneConfig(
      String name,
      List<LimitConfig> limits,
      Map<String, TenantConfig> tenants,
      Map<String, DestinationConfig> destinations,
      boolean allowUnknownDestinations,
      long maxTransfer) {
    this(name, limits, tenants, destinations, allowUnknownDestinations, maxTransfer, null);
  }

  /** A zone without {@code max_transfer}. */
  public ZoneConfig(
      String name,
      List<LimitConfig> limits,
      Map<String, TenantConfig> tenants,
      Map<String, DestinationConfig> destinations,
      boolean allowUnknownDestinations) {
    this(name, limits, tenants, destinations, allowUnknownDestinations, UNLIMITED);
  }

  public ZoneConfig {
    if (maxTransfer < 1) {
      throw new IllegalArgumentException(
          "zone " + name + ": max_transfer must be at least 1 byte, got " + maxTransfer);
    }
    Names.checkNodeName("zone", name);
    limits = LimitConfig.copyOf(limits, "zone " + name);
    tenants = Immutables.namedCopy(tenants, TenantConfig::name, "tenants");
    destinations = Immutables.namedCopy(destinations, DestinationConfig::pattern, "destinations");
    if (tenants.isEmpty()) {
      throw new IllegalArgumentException("zone " + name + " needs at least one tenant");
    }
  }
}
