package dev.sluice.config;

import java.util.List;

/**
 * A destination host pattern of a zone ({@code api.example.com} or {@code *.corp.example}) with its
 * own limits (possibly none: listing a destination also allows it when the zone denies unknown
 * destinations).
 */
public record DestinationConfig(String pattern, List<LimitConfig> limits) {

  public DestinationConfig {
    HostPatterns.check(pattern);
    limits = LimitConfig.copyOf(limits, "destination " + pattern);
  }

  /**
   * True when {@code host} (lower case, without a trailing dot) matches: equal to an exact pattern,
   * or strictly below the suffix of a {@code *.suffix} pattern.
   */
  public boolean matches(String host) {
    return HostPatterns.matches(pattern, host);
  }
}
