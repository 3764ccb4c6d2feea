package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.net.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Node names, listener names, header names, destination patterns and upstream URLs. */
class NamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "A",
        "0",
        "inference",
        "eu-west.1",
        "team_a",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      })
  void acceptsNodeNames(String name) {
    assertThat(Names.checkNodeName("zone", name)).isEqualTo(name);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a:b   | invalid zone name: ':' and '/' are not allowed (names become node ids such as zone:NAME and tenant:ZONE/NAME)
          a/b   | invalid zone name: ':' and '/' are not allowed (names become node ids such as zone:NAME and tenant:ZONE/NAME)
          -a    | invalid zone name: use letters, digits, '_', '.' and '-', starting with a letter or digit
          .a    | invalid zone name: use letters, digits, '_', '.' and '-', starting with a letter or digit
          a b   | invalid zone name: use letters, digits, '_', '.' and '-', starting with a letter or digit
          zoné  | invalid zone name: use letters, digits, '_', '.' and '-', starting with a letter or digit
          """)
  void rejectsNodeNames(String name, String message) {
    assertThatThrownBy(() -> Names.checkNodeName("zone", name)).hasMessage(message);
  }

  @Test
  void limitsNameLength() {
    assertThatThrownBy(() -> Names.checkNodeName("tenant", "x".repeat(65)))
        .hasMessage("invalid tenant name: 65 characters, at most 64 allowed");
    assertThatThrownBy(() -> Names.checkNodeName("site", ""))
        .hasMessage("a site name must not be empty");
  }

  @Test
  void listenerNamesAreLowerCase() {
    assertThat(Names.checkListenerName("api-1_b")).isEqualTo("api-1_b");
    for (String bad : new String[] {"Api", "a.b", "_a", "a b"}) {
      assertThatThrownBy(() -> Names.checkListenerName(bad))
          .as(bad)
          .hasMessageStartingWith("invalid listener name");
    }
  }

  @Test
  void headerNamesAreTokens() {
    assertThat(Names.checkHeaderName("X-Tenant")).isEqualTo("X-Tenant");
    assertThat(Names.checkHeaderName("x_tenant.id")).isEqualTo("x_tenant.id");
    for (String bad : new String[] {"", "X Tenant", "X-Tenant:", "X(T)", "Ténant"}) {
      assertThatThrownBy(() -> Names.checkHeaderName(bad)).as(bad).hasMessageStartingWith("not a");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "api.example.com",
        "*.corp.example",
        "localhost",
        "xn--bcher-kva.example",
        "a-b.c0"
      })
  void acceptsDestinationPatterns(String pattern) {
    assertThat(HostPatterns.check(pattern)).isEqualTo(pattern);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          API.example.com    | use lower case (api.example.com)
          example.com.       | remove the trailing dot
          1.2.3.4            | IP literals are not allowed; use a host name
          [::1]              | IP literals, brackets and ports are not allowed; use a host name
          ::1                | IP literals, brackets and ports are not allowed; use a host name
          example.com:443    | IP literals, brackets and ports are not allowed; use a host name
          a..b               | empty label (two dots in a row, or a leading dot)
          .a                 | empty label (two dots in a row, or a leading dot)
          *.                 | remove the trailing dot
          *..a               | empty label (two dots in a row, or a leading dot)
          *                  | '*' is only allowed as the whole first label, e.g. *.example.com
          a.*.b              | '*' is only allowed as the whole first label, e.g. *.example.com
          *x.example         | '*' is only allowed as the whole first label, e.g. *.example.com
          a_b.example        | character '_' is not allowed in a host name
          -a.example         | label '-a' starts or ends with '-'
          bücher.example     | non-ASCII character; write internationalized names in punycode (xn--...)
          10.0.0.999         | the last label is all digits, which reads as an IP address
          """)
  void rejectsDestinationPatterns(String pattern, String reason) {
    assertThatThrownBy(() -> HostPatterns.check(pattern))
        .hasMessage("invalid destination pattern: " + reason);
  }

  @Test
  void destinationMatching() {
    DestinationConfig corp = new DestinationConfig("*.corp.example", java.util.List.of());
    assertThat(corp.matches("git.corp.example")).isTrue();
    assertThat(corp.matches("a.b.corp.example")).isTrue();
    assertThat(corp.matches("corp.example")).isFalse();
    assertThat(corp.matches("evilcorp.example")).isFalse();
    DestinationConfig exact = new DestinationConfig("api.example.com", java.util.List.of());
    assertThat(exact.matches("api.example.com")).isTrue();
    assertThat(exact.matches("x.api.example.com")).isFalse();
  }

  @Test
  void upstreams() {
    assertThat(Upstreams.checkUrl("http://127.0.0.1:8000")).isEqualTo("http://127.0.0.1:8000");
    assertThat(Upstreams.checkUrl("https://[::1]/v1")).isEqualTo("https://[::1]/v1");
    assertThatThrownBy(() -> Upstreams.checkUrl("ftp://x"))
        .hasMessageStartingWith("a reverse upstream must be an http:// or https:// URL");
    assertThatThrownBy(() -> Upstreams.checkUrl("127.0.0.1:8000"))
        .hasMessageStartingWith("a reverse upstream must be");
    assertThatThrownBy(() -> Upstreams.checkUrl("http://u:p@x"))
        .hasMessage("credentials in the URL are not allowed");
    assertThatThrownBy(() -> Upstreams.checkUrl("http://x/?q=1"))
        .hasMessage("the URL must not have a query or a fragment");
    assertThatThrownBy(() -> Upstreams.checkUrl("http://x:0"))
        .hasMessage("the port must be 1..65535");
    assertThatThrownBy(() -> Upstreams.checkUrl("http://a b"))
        .hasMessageStartingWith("not a URL: ");
    assertThat(Upstreams.checkHostPort("db.internal:5432"))
        .isEqualTo(new HostPort("db.internal", 5432));
    assertThatThrownBy(() -> Upstreams.checkHostPort("db:0"))
        .hasMessage("an upstream port must be 1..65535");
  }
}
