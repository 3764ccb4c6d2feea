package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.config.ProxyUserConfig;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyUsersTest {

  private static final ProxyUsers USERS =
      new ProxyUsers(
          Map.of(
              "builder",
              new ProxyUserConfig(
                  "builder",
                  "ci",
                  "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b")));

  private static String basic(String s) {
    return "Basic " + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void basicCredentials() {
    assertThat(USERS.required()).isTrue();
    assertThat(USERS.check(basic("builder:secret"))).isEqualTo(new ProxyUsers.Check("ci", false));
    assertThat(USERS.check("basic " + basic("builder:secret").substring(6)).tenant())
        .isEqualTo("ci");
    assertThat(USERS.check(null).missing()).isTrue();
    assertThat(USERS.check("  ").missing()).isTrue();
    for (String bad :
        new String[] {
          basic("builder:Secret"),
          basic("builder:secret:"),
          basic("nobody:secret"),
          basic("builder"),
          basic(":secret"),
          "Basic",
          "Basic ***",
          "Digest username=\"builder\"",
        }) {
      ProxyUsers.Check c = USERS.check(bad);
      assertThat(c.tenant()).as(bad).isNull();
      assertThat(c.missing()).as(bad).isFalse();
    }
    assertThat(new ProxyUsers(Map.of()).required()).isFalse();
  }
}
