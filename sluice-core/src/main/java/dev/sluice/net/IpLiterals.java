package dev.sluice.net;

import java.util.Arrays;

/**
 * Parses IPv4 and IPv6 address literals without ever touching DNS ({@code InetAddress.getByName}
 * falls back to a lookup for anything it does not recognise). IPv4 is strict dotted quad with no
 * leading zeros (they read as octal elsewhere); IPv6 is RFC 4291 text without a zone index.
 */
public final class IpLiterals {

  private IpLiterals() {}

  /** The 4 bytes of a dotted-quad IPv4 literal, or {@code null} if {@code s} is not one. */
  public static byte[] parseIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      if (p.length() > 1 && p.charAt(0) == '0') {
        return null;
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  /** The 16 bytes of an IPv6 literal (no brackets, no zone), or {@code null} if not one. */
  public static byte[] parseIpv6(String s) {
    if (s.isEmpty() || s.indexOf('%') >= 0) {
      return null;
    }
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    byte[] head = gap < 0 ? groups(s, true) : groups(s.substring(0, gap), false);
    byte[] tail = gap < 0 ? new byte[0] : groups(s.substring(gap + 2), true);
    if (head == null || tail == null) {
      return null;
    }
    int filled = head.length + tail.length;
    if (gap < 0 ? filled != 16 : filled > 14) {
      return null;
    }
    byte[] out = new byte[16];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(tail, 0, out, 16 - tail.length, tail.length);
    return out;
  }

  /** The bytes of an IPv4 or IPv6 literal, or {@code null}. */
  public static byte[] parse(String s) {
    byte[] v4 = parseIpv4(s);
    return v4 != null ? v4 : parseIpv6(s);
  }

  /** Colon-separated hex groups; the last may be a dotted quad when {@code allowV4Tail}. */
  private static byte[] groups(String s, boolean allowV4Tail) {
    if (s.isEmpty()) {
      return new byte[0];
    }
    String[] parts = s.split(":", -1);
    byte[] out = new byte[parts.length * 2 + 2];
    int n = 0;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (allowV4Tail && i == parts.length - 1 && p.indexOf('.') >= 0) {
        byte[] v4 = parseIpv4(p);
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, n, 4);
        n += 4;
        continue;
      }
      if (p.isEmpty() || p.length() > 4 || !p.chars().allMatch(IpLiterals::isHex)) {
        return null;
      }
      int v = Integer.parseInt(p, 16);
      out[n++] = (byte) (v >>> 8);
      out[n++] = (byte) v;
    }
    return Arrays.copyOf(out, n);
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
