package dev.sluice.config;

import dev.sluice.net.Cidr;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What only a {@code forward} listener has: the address ranges its destinations may not resolve
 * into, and optional proxy users.
 *
 * <p>{@code denyRanges} are checked against <em>every</em> address a destination name resolves to;
 * one address inside a range refuses the destination. Absent from the file, they are {@link
 * #DEFAULT_DENY_RANGES} (the site's own and special-purpose networks, so a name pointing back
 * inside cannot turn the proxy into a way around the boundary); an explicit list replaces the
 * default, and an empty list checks nothing.
 *
 * <p>{@code proxyUsers}, when not empty, make {@code Proxy-Authorization: Basic} mandatory: a valid
 * user selects its tenant, anything else is answered {@code 407}.
 *
 * <p>{@code lookups} limit and cache the name lookups the listener makes ({@link LookupConfig}).
 */
public record ForwardConfig(
    List<Cidr> denyRanges, Map<String, ProxyUserConfig> proxyUsers, LookupConfig lookups) {

  /**
   * Loopback, RFC 1918 private, link-local, CGNAT shared space, unique-local IPv6, "this network",
   * multicast and the unspecified IPv6 address.
   */
  public static final List<Cidr> DEFAULT_DENY_RANGES =
      List.of(
          Cidr.parse("0.0.0.0/8"),
          Cidr.parse("10.0.0.0/8"),
          Cidr.parse("100.64.0.0/10"),
          Cidr.parse("127.0.0.0/8"),
          Cidr.parse("169.254.0.0/16"),
          Cidr.parse("172.16.0.0/12"),
          Cidr.parse("192.168.0.0/16"),
          Cidr.parse("224.0.0.0/4"),
          Cidr.parse("::/128"),
          Cidr.parse("::1/128"),
          Cidr.parse("fc00::/7"),
          Cidr.parse("fe80::/10"),
          Cidr.parse("ff00::/8"));

  public ForwardConfig {
    denyRanges = List.copyOf(denyRanges);
    proxyUsers = Immutables.namedCopy(proxyUsers, ProxyUserConfig::name, "proxyUsers");
    Objects.requireNonNull(lookups, "lookups");
  }

  /** Deny ranges and proxy users with the default lookup settings. */
  public ForwardConfig(List<Cidr> denyRanges, Map<String, ProxyUserConfig> proxyUsers) {
    this(denyRanges, proxyUsers, LookupConfig.defaults());
  }

  /** The settings of a forward listener that sets neither key. */
  public static ForwardConfig defaults() {
    return new ForwardConfig(DEFAULT_DENY_RANGES, Map.of());
  }

  /** The proxy user {@code name}, or null. */
  public ProxyUserConfig proxyUser(String name) {
    Objects.requireNonNull(name, "name");
    return proxyUsers.get(name);
  }
}
