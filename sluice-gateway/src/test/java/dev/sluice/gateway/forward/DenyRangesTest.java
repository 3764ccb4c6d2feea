package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ForwardConfig;
import dev.sluice.net.Cidr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class DenyRangesTest {

  private static final DenyRanges DEFAULTS = new DenyRanges(ForwardConfig.DEFAULT_DENY_RANGES);

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: never a lookup
  }

  @Test
  void theDefaultsCoverTheSitesOwnAndSpecialNetworks() throws Exception {
    for (String denied :
        List.of(
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "239.255.255.250",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1")) {
      assertThat(DEFAULTS.rangeOf(ip(denied))).as(denied).isNotNull();
    }
    for (String allowed :
        List.of("8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2001:db8::1", "1.1.1.1")) {
      assertThat(DEFAULTS.rangeOf(ip(allowed))).as(allowed).isNull();
    }
  }

  @Test
  void ipv6AddressesCarryingAnIpv4AddressAreCheckedAsThatAddress() throws Exception {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = 10;
    mapped[15] = 1;
    // The JDK turns ::ffff:a.b.c.d into an Inet4Address; a resolver might not.
    assertThat(DEFAULTS.rangeOf(Inet6Address.getByAddress(null, mapped, -1)))
        .isEqualTo(Cidr.parse("10.0.0.0/8"));
    assertThat(DEFAULTS.rangeOf(ip("64:ff9b::7f00:1"))).isEqualTo(Cidr.parse("127.0.0.0/8"));
    assertThat(DEFAULTS.rangeOf(ip("2002:c0a8:0101::1"))).isEqualTo(Cidr.parse("192.168.0.0/16"));
    assertThat(DEFAULTS.rangeOf(ip("::a9fe:a9fe"))).isEqualTo(Cidr.parse("169.254.0.0/16"));
    assertThat(DEFAULTS.rangeOf(ip("64:ff9b::808:808"))).isNull();
    assertThat(DenyRanges.embeddedIpv4(ip("2001:db8::1").getAddress())).isNull();
  }

  @Test
  void firstDeniedNamesTheAddressAndNetwork() throws Exception {
    DenyRanges r = new DenyRanges(List.of(Cidr.parse("10.0.0.0/8")));
    assertThat(r.firstDenied(List.of(ip("127.0.0.1"), ip("10.9.9.9"))))
        .isEqualTo("10.9.9.9 in 10.0.0.0/8");
    assertThat(r.firstDenied(List.of(ip("127.0.0.1")))).isNull();
    assertThat(new DenyRanges(List.of()).firstDenied(List.of(ip("127.0.0.1")))).isNull();
  }
}
