package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.refusal.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** No spelling of an IPv4 address that a resolver would accept passes as a name. */
class HostCheckPropertyTest {

  @Property(seed = "20261207")
  void everyInetAtonSpellingOfAnAddressIsAnIpLiteral(
      @ForAll long address,
      @ForAll @IntRange(min = 1, max = 4) int parts,
      @ForAll("radix") int radix) {
    long a = address & 0xFFFFFFFFL;
    String host = spell(a, parts, radix);
    assertThat(HostCheck.problem(host)).as(host).isEqualTo(Reason.DESTINATION_IP_LITERAL);
    assertThat(HostCheck.problem(host.toUpperCase(Locale.ROOT)))
        .as(host)
        .isEqualTo(Reason.DESTINATION_IP_LITERAL);
  }

  @Property(seed = "20261208")
  void acceptedHostsAreLowerCaseDnsNames(@ForAll("hosts") String host) {
    if (HostCheck.problem(host) == null) {
      assertThat(host).matches("[a-z0-9-]+(\\.[a-z0-9-]+)*").doesNotEndWith(".");
      assertThat(HostCheck.endsInNumber(host)).isFalse();
    }
  }

  @Provide
  Arbitrary<Integer> radix() {
    return Arbitraries.of(8, 10, 16);
  }

  @Provide
  Arbitrary<String> hosts() {
    return Arbitraries.strings().withChars("aZ09.-_:[]x%").ofMinLength(1).ofMaxLength(20);
  }

  /** {@code a} in {@code parts} parts as inet_aton reads them: a.b.c.d, a.b.cd, a.bcd, abcd. */
  private static String spell(long a, int parts, int radix) {
    List<Long> p = new ArrayList<>();
    switch (parts) {
      case 1 -> p.add(a);
      case 2 -> {
        p.add(a >>> 24);
        p.add(a & 0xFFFFFF);
      }
      case 3 -> {
        p.add(a >>> 24);
        p.add((a >>> 16) & 0xFF);
        p.add(a & 0xFFFF);
      }
      default -> {
        p.add(a >>> 24);
        p.add((a >>> 16) & 0xFF);
        p.add((a >>> 8) & 0xFF);
        p.add(a & 0xFF);
      }
    }
    List<String> out = new ArrayList<>();
    for (long v : p) {
      out.add(
          switch (radix) {
            case 8 -> "0" + Long.toOctalString(v);
            case 16 -> "0x" + Long.toHexString(v);
            default -> Long.toString(v);
          });
    }
    return String.join(".", out);
  }
}
