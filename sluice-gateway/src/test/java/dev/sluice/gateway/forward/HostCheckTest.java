package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.refusal.Reason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostCheckTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "api.corp.example",
        "a",
        "xn--bcher-kva.example",
        "1.2.3.4.example",
        "a-b.c-d.example",
        "0x.example.com1x"
      })
  void canonicalNamesPass(String host) {
    assertThat(HostCheck.problem(host)).isNull();
  }

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, DESTINATION_IP_LITERAL",
    "2130706433, DESTINATION_IP_LITERAL",
    "0x7f.1, DESTINATION_IP_LITERAL",
    "0X7F.0.0.1, DESTINATION_IP_LITERAL",
    "127.1, DESTINATION_IP_LITERAL",
    "0177.0.0.1, DESTINATION_IP_LITERAL",
    "127.0.0.1., DESTINATION_IP_LITERAL",
    "api.corp.0x10, DESTINATION_IP_LITERAL",
    "api.corp.0x, DESTINATION_IP_LITERAL",
    "example.123, DESTINATION_IP_LITERAL",
    "::1, DESTINATION_IP_LITERAL",
    "fe80::1, DESTINATION_IP_LITERAL",
    "[::1], DESTINATION_BRACKETED",
    "[fe80::1], DESTINATION_BRACKETED",
    "[api.corp.example], DESTINATION_BRACKETED",
    "[::ffff:127.0.0.1], DESTINATION_IPV4_MAPPED",
    "[::ffff:7f00:1], DESTINATION_IPV4_MAPPED",
    "::ffff:10.0.0.1, DESTINATION_IPV4_MAPPED",
    "API.corp.example, DESTINATION_NOT_LOWER_CASE",
    "api.corp.Example, DESTINATION_NOT_LOWER_CASE",
    "api.corp.example., DESTINATION_TRAILING_DOT",
    "api..corp.example, DESTINATION_EMPTY_LABEL",
    ".corp.example, DESTINATION_EMPTY_LABEL",
    "api_1.corp.example, DESTINATION_INVALID",
    "-api.corp.example, DESTINATION_INVALID",
    "api-.corp.example, DESTINATION_INVALID",
    "api%2ecorp.example, DESTINATION_INVALID",
    "*.corp.example, DESTINATION_INVALID",
    "bücher.example, DESTINATION_INVALID",
    "a:b:c, DESTINATION_INVALID"
  })
  void everyOtherSpellingHasItsReason(String host, Reason reason) {
    assertThat(HostCheck.problem(host)).isEqualTo(reason);
  }

  @org.junit.jupiter.api.Test
  void lengthLimits() {
    String label63 = "a".repeat(63);
    assertThat(HostCheck.problem(label63 + ".example")).isNull();
    assertThat(HostCheck.problem(label63 + "a.example")).isEqualTo(Reason.DESTINATION_INVALID);
    String name253 = (label63 + ".").repeat(3) + "a".repeat(61);
    assertThat(name253).hasSize(253);
    assertThat(HostCheck.problem(name253)).isNull();
    assertThat(HostCheck.problem(name253 + "a")).isEqualTo(Reason.DESTINATION_INVALID);
  }
}
