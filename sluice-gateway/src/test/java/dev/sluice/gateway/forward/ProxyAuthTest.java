package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.EntryType;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** With proxy_users, a valid Proxy-Authorization picks the tenant; anything else is a 407. */
@ExtendWith(NoLeaks.class)
class ProxyAuthTest {

  /** SHA-256 of "secret". */
  private static final String SECRET_SHA256 =
      "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

  @TempDir Path dir;
  TestOrigin origin;
  ForwardFixture proxy;

  @BeforeEach
  void up() throws Exception {
    origin = TestOrigin.http();
    proxy =
        new ForwardFixture(
            dir,
            new ForwardFixture.Yaml()
                .listener(
                    "    deny_ranges: []\n"
                        + "    tenants_by_source: { \"127.0.0.0/8\": acme }\n"
                        + "    proxy_users:\n"
                        + "      builder: { tenant: ci, password_sha256: "
                        + SECRET_SHA256
                        + " }\n"),
            Map.of("api.corp.example", List.of(InetAddress.getLoopbackAddress())));
  }

  @AfterEach
  void down() {
    proxy.close();
    origin.close();
  }

  private String get(String proxyAuthorization) throws Exception {
    return RawClient.exchange(
        proxy.port(),
        "GET http://api.corp.example:"
            + origin.port()
            + "/x HTTP/1.1\r\nHost: api.corp.example\r\nConnection: close\r\n"
            + (proxyAuthorization == null
                ? ""
                : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
            + "\r\n");
  }

  private static String basic(String userAndPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aValidUserSelectsItsTenantAndItsCredentialsStayInside() throws Exception {
    String r = get(basic("builder:secret"));
    assertThat(r).startsWith("HTTP/1.1 200 OK").contains("GET /x host=", " auth=null ");
    assertThat(proxy.sent("dest:employee/*.corp.example")).isEqualTo(origin.received());
    assertThat(proxy.sent("tenant:employee/acme")).isZero(); // the source network does not apply
    assertThat(proxy.closeAndRead(EntryType.CONNECTION))
        .singleElement()
        .satisfies(e -> assertThat(e.getString("tenant")).isEqualTo("ci"));
  }

  @Test
  void missingOrInvalidCredentialsAre407() throws Exception {
    String missing = get(null);
    assertThat(missing)
        .startsWith("HTTP/1.1 407 Proxy Authentication Required\r\n")
        .contains("proxy-authenticate: Basic realm=\"sluice\"")
        .contains("\"type\":\"proxy_auth_required\"");
    for (String bad :
        List.of(
            basic("builder:wrong"),
            basic("nobody:secret"),
            basic("builder"),
            "Basic !!!not-base64",
            "Bearer abc",
            basic("builder:secret ").trim() + "x")) {
      assertThat(get(bad))
          .as(bad)
          .startsWith("HTTP/1.1 407 ")
          .contains(
              "proxy-authenticate: Basic realm=\"sluice\"", "\"type\":\"proxy_auth_invalid\"");
    }
    // A CONNECT needs credentials just the same.
    assertThat(
            RawClient.exchange(
                proxy.port(),
                "CONNECT api.corp.example:"
                    + origin.port()
                    + " HTTP/1.1\r\nHost: api.corp.example\r\n\r\n"))
        .startsWith("HTTP/1.1 407 ");
    assertThat(origin.connections()).isZero();
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .extracting(e -> e.getString("reason") + " " + e.getString("tenant"))
        .containsExactly(
            "proxy_auth_required -",
            "proxy_auth_invalid -",
            "proxy_auth_invalid -",
            "proxy_auth_invalid -",
            "proxy_auth_invalid -",
            "proxy_auth_invalid -",
            "proxy_auth_invalid -",
            "proxy_auth_required -");
  }
}
