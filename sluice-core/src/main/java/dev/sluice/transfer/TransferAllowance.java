package dev.sluice.transfer;

import java.util.Objects;

/**
 * One approved large transfer: tenant {@code tenant} of zone {@code zone} may send single transfers
 * of up to {@code bytes} to {@code destination} until {@code expiresMillis} (exclusive, on the
 * node's injected clock), charged as usual (budgets still apply).
 *
 * <p>{@code destination} is matched against what a transfer goes to: the host name in forward mode,
 * the request path in reverse mode (tcp listeners have no destination: only {@code *} matches
 * them). It is either exact, or ends in {@code *} and matches everything that starts with what
 * precedes it ({@code *} alone matches every destination).
 *
 * <p>Subject format (the {@code subject} line of a {@code transfer} approval, see {@code
 * docs/formats/approval-v1.md}): {@code ZONE,TENANT,BYTES,DESTINATION}, where the destination is
 * everything after the third comma; printable ASCII without spaces.
 */
public record TransferAllowance(
    String zone, String tenant, String destination, long bytes, long expiresMillis) {

  public TransferAllowance {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(destination, "destination");
    if (zone.isEmpty() || zone.contains(",") || tenant.isEmpty() || tenant.contains(",")) {
      throw new IllegalArgumentException("zone and tenant must be names without commas");
    }
    if (destination.isEmpty()
        || !destination.chars().allMatch(c -> c > 0x20 && c < 0x7f)
        || destination.indexOf('*') >= 0 && destination.indexOf('*') != destination.length() - 1) {
      throw new IllegalArgumentException(
          "destination must be printable ASCII without spaces, with at most one * at its end: "
              + destination);
    }
    if (bytes < 1) {
      throw new IllegalArgumentException("size must be at least 1 byte, got " + bytes);
    }
  }

  /** The approval subject of a transfer of up to {@code bytes} (without an expiry). */
  public static String subject(String zone, String tenant, long bytes, String destination) {
    new TransferAllowance(zone, tenant, destination, bytes, 0); // checks every part
    return zone + "," + tenant + "," + bytes + "," + destination;
  }

  /**
   * The allowance a subject describes, until {@code expiresMillis}.
   *
   * @throws IllegalArgumentException naming what is wrong with the subject
   */
  public static TransferAllowance parse(String subject, long expiresMillis) {
    String[] p = subject.split(",", 4);
    if (p.length != 4) {
      throw new IllegalArgumentException(
          "a transfer subject is ZONE,TENANT,BYTES,DESTINATION, got " + subject);
    }
    long bytes;
    try {
      bytes = Long.parseLong(p[2]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "the size of transfer subject " + subject + " is not a number");
    }
    return new TransferAllowance(p[0], p[1], p[3], bytes, expiresMillis);
  }

  /** This allowance's approval subject. */
  public String subject() {
    return subject(zone, tenant, bytes, destination);
  }

  /**
   * Whether a transfer of {@code tenant} in {@code zone} to {@code to} is allowed at {@code now}.
   */
  public boolean covers(String zone, String tenant, String to, long nowMillis) {
    if (nowMillis >= expiresMillis || !this.zone.equals(zone) || !this.tenant.equals(tenant)) {
      return false;
    }
    if (destination.endsWith("*")) {
      return to != null && to.startsWith(destination.substring(0, destination.length() - 1))
          || destination.equals("*");
    }
    return destination.equals(to);
  }
}
