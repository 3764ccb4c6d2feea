package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.net.Cidr;
import dev.sluice.net.HostPort;
import dev.sluice.net.IpLiterals;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** IP literals, host:port and CIDRs: parsed without DNS, rejected with a reason. */
class AddressesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "::",
        "::1",
        "1::",
        "fe80::1",
        "2001:db8::8a2e:370:7334",
        "1:2:3:4:5:6:7:8",
        "::ffff:10.0.0.1",
        "1:2:3:4:5:6:1.2.3.4",
        "1::2:3:4:5:6:7",
        "ABCD::ef"
      })
  void parsesIpv6(String text) throws Exception {
    // Valid literals only, so the JDK parses them without DNS; it turns ::ffff:a.b.c.d into IPv4.
    byte[] jdk = InetAddress.getByName(text).getAddress();
    byte[] expected = new byte[16];
    if (jdk.length == 4) {
      expected[10] = (byte) 0xff;
      expected[11] = (byte) 0xff;
    }
    System.arraycopy(jdk, 0, expected, 16 - jdk.length, jdk.length);
    assertThat(IpLiterals.parseIpv6(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ":",
        ":::",
        "1::2::3",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "12345::",
        "g::1",
        "fe80::1%eth0",
        "1.2.3.4::",
        "::1.2.3",
        "[::1]",
        "1:2:3:4:5:6:7:8::"
      })
  void rejectsBadIpv6(String text) {
    assertThat(IpLiterals.parseIpv6(text)).isNull();
  }

  @Test
  void parsesStrictIpv4() {
    assertThat(IpLiterals.parseIpv4("127.0.0.1")).containsExactly(127, 0, 0, 1);
    assertThat(IpLiterals.parseIpv4("255.255.255.255")).containsExactly(-1, -1, -1, -1);
    for (String bad :
        new String[] {
          "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d", "1.2.3.٣"
        }) {
      assertThat(IpLiterals.parseIpv4(bad)).as(bad).isNull();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          127.0.0.1:8080   | 127.0.0.1   | 8080 | 127.0.0.1:8080
          [::1]:9901       | ::1         | 9901 | [::1]:9901
          localhost:0      | localhost   | 0    | localhost:0
          gw-1.example:443 | gw-1.example| 443  | gw-1.example:443
          0.0.0.0:65535    | 0.0.0.0     | 65535| 0.0.0.0:65535
          """)
  void parsesHostPort(String text, String host, int port, String printed) {
    HostPort hp = HostPort.parse(text);
    assertThat(hp).isEqualTo(new HostPort(host, port));
    assertThat(hp.toString()).isEqualTo(printed);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          127.0.0.1          | missing port; expected host:port, e.g. 127.0.0.1:8080
          :8080              | missing host; expected host:port, e.g. 127.0.0.1:8080
          ::1:8080           | an IPv6 address needs brackets, e.g. [::1]:8080
          [::1]8080          | expected [IPv6]:port, e.g. [::1]:8080
          [zz::1]:80         | not an IPv6 address inside the brackets
          127.0.0.1:65536    | the port must be a number 0..65535
          127.0.0.1:-1       | the port must be a number 0..65535
          127.0.0.1:http     | the port must be a number 0..65535
          999.0.0.1:80       | not a valid IPv4 address: 999.0.0.1
          bad_host:80        | not a valid host name or IP address: bad_host
          """)
  void rejectsBadHostPort(String text, String message) {
    assertThatThrownBy(() -> HostPort.parse(text)).hasMessage(message);
  }

  @Test
  void bindConflicts() {
    HostPort a = HostPort.parse("127.0.0.1:8080");
    assertThat(a.conflictsWith(HostPort.parse("127.0.0.1:8080"))).isTrue();
    assertThat(a.conflictsWith(HostPort.parse("127.0.0.1:8081"))).isFalse();
    assertThat(a.conflictsWith(HostPort.parse("127.0.0.2:8080"))).isFalse();
    assertThat(a.conflictsWith(HostPort.parse("0.0.0.0:8080"))).isTrue();
    assertThat(HostPort.parse("[::]:8080").conflictsWith(a)).isTrue();
    assertThat(HostPort.parse("[::1]:80").conflictsWith(HostPort.parse("[0:0::1]:80"))).isTrue();
    assertThat(HostPort.parse("Gw:80").conflictsWith(HostPort.parse("gw:80"))).isTrue();
    assertThat(HostPort.parse("127.0.0.1:0").conflictsWith(HostPort.parse("127.0.0.1:0")))
        .as("port 0 picks a free port each time")
        .isFalse();
  }

  @Test
  void parsesCidrs() throws Exception {
    Cidr v4 = Cidr.parse("10.0.0.0/8");
    assertThat(v4.prefixLength()).isEqualTo(8);
    assertThat(v4.contains(InetAddress.getByName("10.200.3.4"))).isTrue();
    assertThat(v4.contains(InetAddress.getByName("11.0.0.1"))).isFalse();
    assertThat(v4.contains(InetAddress.getByName("::1"))).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8"))).isTrue();
    assertThat(Cidr.parse("127.0.0.1/32").toString()).isEqualTo("127.0.0.1/32");
    Cidr v6 = Cidr.parse("fd00::/8");
    assertThat(v6.contains(InetAddress.getByName("fd12::1"))).isTrue();
    assertThat(v6.contains(InetAddress.getByName("fe80::1"))).isFalse();
    assertThat(Cidr.parse("::1/128")).isEqualTo(Cidr.parse("0::1/128"));
    assertThat(Cidr.parse("10.1.0.0/17").contains(InetAddress.getByName("10.1.127.255"))).isTrue();
    assertThat(Cidr.parse("10.1.0.0/17").contains(InetAddress.getByName("10.1.128.0"))).isFalse();
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          10.0.0.0           | expected a CIDR such as 10.0.0.0/8 (use /32 or /128 for one address)
          10.0.0.1/8         | host bits are set; did you mean 10.0.0.0/8?
          10.1.2.3/17        | host bits are set; did you mean 10.1.0.0/17?
          fd00::1/8          | host bits are set; did you mean fd00:0:0:0:0:0:0:0/8?
          10.0.0.0/33        | the prefix length must be a number 0..32
          ::/129             | the prefix length must be a number 0..128
          10.0.0.0/          | the prefix length must be a number 0..32
          10.0.0.0/x         | the prefix length must be a number 0..32
          example.com/8      | not an IPv4 or IPv6 address: example.com
          [::1]/128          | not an IPv4 or IPv6 address: [::1]
          ::ffff:10.0.0.0/104| IPv4-mapped IPv6 networks are not supported; write the IPv4 network instead
          """)
  void rejectsBadCidrs(String text, String message) {
    assertThatThrownBy(() -> Cidr.parse(text)).hasMessage(message);
  }
}
