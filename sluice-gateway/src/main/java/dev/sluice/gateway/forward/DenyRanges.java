package dev.sluice.gateway.forward;

import dev.sluice.net.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The networks a forward listener's destinations may not resolve into ({@code deny_ranges}). An
 * IPv6 address that carries an IPv4 address (IPv4-mapped {@code ::ffff:0:0/96}, NAT64 {@code
 * 64:ff9b::/96}, 6to4 {@code 2002::/16}, IPv4-compatible {@code ::/96}) is checked as that IPv4
 * address too, since it reaches the same host. Immutable.
 */
final class DenyRanges {

  private final List<Cidr> ranges;

  DenyRanges(List<Cidr> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /**
   * The first address of {@code addresses} that lies in a denied network, described as {@code
   * "ADDRESS in CIDR"}, or null when every address is allowed.
   */
  String firstDenied(List<InetAddress> addresses) {
    for (InetAddress a : addresses) {
      Cidr c = rangeOf(a);
      if (c != null) {
        return a.getHostAddress() + " in " + c;
      }
    }
    return null;
  }

  /** The denied network {@code a} lies in (directly or through an embedded IPv4), or null. */
  Cidr rangeOf(InetAddress a) {
    InetAddress v4 = a instanceof Inet6Address v6 ? embeddedIpv4(v6.getAddress()) : null;
    for (Cidr c : ranges) {
      if (c.contains(a) || (v4 != null && c.contains(v4))) {
        return c;
      }
    }
    return null;
  }

  /** The IPv4 address an IPv6 address carries by one of the well-known mappings, or null. */
  static InetAddress embeddedIpv4(byte[] b) {
    int at = -1;
    if (zero(b, 0, 10) && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
      at = 12; // ::ffff:a.b.c.d
    } else if (b[0] == 0
        && b[1] == 0x64
        && b[2] == (byte) 0xff
        && b[3] == (byte) 0x9b
        && zero(b, 4, 12)) {
      at = 12; // 64:ff9b::a.b.c.d
    } else if (b[0] == 0x20 && b[1] == 0x02) {
      at = 2; // 2002:AABB:CCDD::/48
    } else if (zero(b, 0, 12) && !zero(b, 12, 16) && !(zero(b, 12, 15) && b[15] == 1)) {
      at = 12; // ::a.b.c.d (deprecated IPv4-compatible), not :: or ::1
    }
    if (at < 0) {
      return null;
    }
    byte[] v4 = {b[at], b[at + 1], b[at + 2], b[at + 3]};
    try {
      return InetAddress.getByAddress(v4);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 bytes are always an address", e);
    }
  }

  private static boolean zero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
