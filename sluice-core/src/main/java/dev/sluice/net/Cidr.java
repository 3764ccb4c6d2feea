package dev.sluice.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code fd00::/8}). The host bits
 * must be zero: {@code 10.1.2.3/8} is rejected rather than silently widened, because it usually
 * means the operator meant a different prefix.
 */
public record Cidr(InetAddress network, int prefixLength) {

  public Cidr {
    Objects.requireNonNull(network, "network");
    int bits = network.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException("prefix length must be 0.." + bits);
    }
    if (!equalsMasked(network.getAddress(), prefixLength)) {
      throw new IllegalArgumentException("host bits are set");
    }
  }

  /**
   * Parses {@code address/prefix}.
   *
   * @throws IllegalArgumentException with a message fit for an operator
   */
  public static Cidr parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "expected a CIDR such as 10.0.0.0/8 (use /32 or /128 for one address)");
    }
    String addr = text.substring(0, slash);
    String prefix = text.substring(slash + 1);
    byte[] bytes = IpLiterals.parse(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + addr);
    }
    int bits = bytes.length * 8;
    if (prefix.isEmpty()
        || prefix.length() > 3
        || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')
        || Integer.parseInt(prefix) > bits) {
      throw new IllegalArgumentException("the prefix length must be a number 0.." + bits);
    }
    int len = Integer.parseInt(prefix);
    if (bytes.length == 16 && address(bytes).getAddress().length == 4) {
      throw new IllegalArgumentException(
          "IPv4-mapped IPv6 networks are not supported; write the IPv4 network instead");
    }
    if (!equalsMasked(bytes, len)) {
      byte[] masked = mask(bytes, len);
      throw new IllegalArgumentException(
          "host bits are set; did you mean " + address(masked).getHostAddress() + "/" + len + "?");
    }
    return new Cidr(address(bytes), len);
  }

  /** True when {@code a} is inside this network (an IPv4 address is never inside an IPv6 one). */
  public boolean contains(InetAddress a) {
    byte[] net = network.getAddress();
    byte[] other = a.getAddress();
    return net.length == other.length && Arrays.equals(mask(other, prefixLength), net);
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefixLength;
  }

  private static boolean equalsMasked(byte[] bytes, int len) {
    return Arrays.equals(bytes, mask(bytes, len));
  }

  private static byte[] mask(byte[] bytes, int len) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, len - i * 8));
      out[i] = (byte) (out[i] & (0xFF00 >>> keep));
    }
    return out;
  }

  private static InetAddress address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an address", e);
    }
  }
}
