package dev.sluice.gateway.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerEntry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way around the destination rules is refused with its own reason, answered to the inside
 * client, ledgered and counted, and nothing reaches the destination. Every name resolves to
 * loopback, so even a refusal that failed could only reach this machine.
 */
@ExtendWith(NoLeaks.class)
class ForwardRefusalTest {

  @TempDir Path dir;
  TestOrigin origin;
  ForwardFixture proxy;

  @BeforeEach
  void up() {
    origin = TestOrigin.echo();
  }

  @AfterEach
  void down() {
    if (proxy != null) {
      proxy.close();
    }
    origin.close();
  }

  private static Map<String, List<InetAddress>> names(String... hosts) {
    Map<String, List<InetAddress>> m = new LinkedHashMap<>();
    for (String h : hosts) {
      m.put(h, List.of(ForwardFixture.loopback()));
    }
    return m;
  }

  private static String connect(String authority) {
    return "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
  }

  /** A GET of {@code url} whose Host agrees with it (a Host naming another host is a 400). */
  private static String get(String url) {
    String authority = url.substring(url.indexOf("://") + 3);
    if (authority.indexOf('/') >= 0) {
      authority = authority.substring(0, authority.indexOf('/'));
    }
    return "GET " + url + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n";
  }

  @Test
  void everyBypassIsRefusedWithItsReason() throws Exception {
    proxy =
        new ForwardFixture(
            dir,
            new ForwardFixture.Yaml(),
            names("api.corp.example", "elsewhere.example", "corp.example"));
    int p = origin.port();
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(connect("127.0.0.1:" + p), "destination_ip_literal");
    cases.put(connect("2130706433:" + p), "destination_ip_literal");
    cases.put(get("http://0x7f.1:" + p + "/"), "destination_ip_literal");
    cases.put(get("http://127.1:" + p + "/"), "destination_ip_literal");
    cases.put(get("http://0177.0.0.1:" + p + "/"), "destination_ip_literal");
    cases.put(get("http://api.corp.0x7f:" + p + "/"), "destination_ip_literal");
    cases.put(connect("[::1]:" + p), "destination_bracketed");
    cases.put(get("http://[::1]:" + p + "/"), "destination_bracketed");
    cases.put(get("http://[::ffff:127.0.0.1]:" + p + "/"), "destination_ipv4_mapped");
    cases.put(connect("::ffff:7f00:1:" + p), "destination_ipv4_mapped");
    cases.put(get("http://API.corp.example:" + p + "/"), "destination_not_lower_case");
    cases.put(connect("Api.Corp.Example:" + p), "destination_not_lower_case");
    cases.put(connect("api.corp.example.:" + p), "destination_trailing_dot");
    cases.put(get("http://api..corp.example:" + p + "/"), "destination_empty_label");
    cases.put(connect(".corp.example:" + p), "destination_empty_label");
    cases.put(get("http://api_1.corp.example:" + p + "/"), "destination_invalid");
    cases.put(get("http://api%2ecorp.example:" + p + "/"), "destination_invalid");
    cases.put(connect("elsewhere.example:" + p), "destination_not_allowed");
    cases.put(get("http://corp.example:" + p + "/"), "destination_not_allowed");

    for (Map.Entry<String, String> c : cases.entrySet()) {
      String response = RawClient.exchange(proxy.port(), c.getKey());
      assertThat(response)
          .as(c.getKey())
          .startsWith("HTTP/1.1 403 Forbidden\r\n")
          .contains("connection: close", "content-type: application/json")
          .contains("{\"error\":{\"type\":\"" + c.getValue() + "\"");
    }
    assertThat(origin.connections()).isZero();
    assertThat(proxy.stats().denials().get("destination_ip_literal").sum()).isEqualTo(6);

    List<LedgerEntry> denies = proxy.closeAndRead(EntryType.DENY);
    assertThat(denies)
        .extracting(e -> e.getString("reason"))
        .containsExactlyElementsOf(cases.values());
    assertThat(denies).allSatisfy(e -> assertThat(e.getString("tenant")).isEqualTo("default"));
    assertThat(denies.get(0).getString("destination")).isEqualTo("127.0.0.1:" + p);
    assertThat(denies.get(0).getString("detail")).isEqualTo("host 127.0.0.1");
  }

  @Test
  void theMostSpecificSourceNetworkPicksTheTenant() throws Exception {
    proxy =
        new ForwardFixture(
            dir,
            new ForwardFixture.Yaml()
                .listener(
                    "    deny_ranges: []\n"
                        + "    tenants_by_source: { \"127.0.0.0/8\": acme, \"127.0.0.1/32\": ci }\n"),
            names("api.corp.example"));
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(connect("api.corp.example:" + origin.port()) + "ping");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
      c.readExactly(4);
    }
    assertThat(origin.awaitAllClosed()).isTrue();
    assertThat(proxy.closeAndRead(EntryType.CONNECTION))
        .singleElement()
        .satisfies(e -> assertThat(e.getString("tenant")).isEqualTo("ci"));
  }

  @Test
  void aClientNoNetworkNamesIsRefusedWithoutADefaultTenant() throws Exception {
    proxy =
        new ForwardFixture(
            dir,
            new ForwardFixture.Yaml()
                .withoutDefaultTenant()
                .listener("    deny_ranges: []\n    tenants_by_source: { \"10.0.0.0/8\": acme }\n"),
            names("api.corp.example"));
    assertThat(RawClient.exchange(proxy.port(), connect("api.corp.example:" + origin.port())))
        .startsWith("HTTP/1.1 403 ")
        .contains("\"type\":\"unknown_tenant\"");
    assertThat(origin.connections()).isZero();
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .extracting(e -> e.getString("reason") + " " + e.getString("tenant"))
        .containsExactly("unknown_tenant -");
  }

  @Test
  void unknownDestinationsAreAllowedWhenTheZoneSaysSo() throws Exception {
    proxy =
        new ForwardFixture(
            dir,
            new ForwardFixture.Yaml().unknownDestinations("allow"),
            names("elsewhere.example"));
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(connect("elsewhere.example:" + origin.port()) + "ping");
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
      assertThat(new String(c.readExactly(4), java.nio.charset.StandardCharsets.ISO_8859_1))
          .isEqualTo("ping");
    }
    assertThat(origin.awaitAllClosed()).isTrue();
    assertThat(proxy.sent("tenant:employee/default")).isEqualTo(4);
    assertThat(proxy.sent("dest:employee/*.corp.example")).isZero();
  }

  @Test
  void namesResolvingIntoTheDefaultDenyRangesAreRefused() throws Exception {
    proxy =
        new ForwardFixture(dir, new ForwardFixture.Yaml().listener(""), names("api.corp.example"));
    String response =
        RawClient.exchange(proxy.port(), connect("api.corp.example:" + origin.port()));
    assertThat(response)
        .startsWith("HTTP/1.1 403 ")
        .contains("\"type\":\"destination_denied_address\"")
        .contains("api.corp.example resolves to 127.0.0.1 in 127.0.0.0/8");
    assertThat(origin.connections()).isZero();
    List<LedgerEntry> denies = proxy.closeAndRead(EntryType.DENY);
    assertThat(denies)
        .singleElement()
        .satisfies(e -> assertThat(e.getString("reason")).isEqualTo("destination_denied_address"));
  }

  @Test
  void oneDeniedAddressAmongGoodOnesRefusesTheName() throws Exception {
    Map<String, List<InetAddress>> names = names("api.corp.example");
    names.put(
        "mixed.corp.example",
        List.of(ForwardFixture.loopback(), InetAddress.getByAddress(new byte[] {10, 9, 9, 9})));
    proxy =
        new ForwardFixture(
            dir, new ForwardFixture.Yaml().listener("    deny_ranges: [ 10.0.0.0/8 ]\n"), names);
    assertThat(RawClient.exchange(proxy.port(), connect("mixed.corp.example:" + origin.port())))
        .startsWith("HTTP/1.1 403 ")
        .contains("\"type\":\"destination_denied_address\"", "10.9.9.9 in 10.0.0.0/8");
    assertThat(origin.connections()).isZero();
    // An explicit list replaces the default: loopback is allowed now.
    try (RawClient c = new RawClient(proxy.port())) {
      c.send(connect("api.corp.example:" + origin.port()));
      assertThat(c.readHead()).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void unresolvableAndUnreachableDestinationsAre502() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, ForwardFixture.loopback())) {
      closedPort = s.getLocalPort();
    }
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml(), names("down.corp.example"));
    assertThat(RawClient.exchange(proxy.port(), connect("nowhere.corp.example:443")))
        .startsWith("HTTP/1.1 502 ")
        .contains("\"type\":\"destination_unresolvable\"");
    assertThat(
            RawClient.exchange(proxy.port(), get("http://down.corp.example:" + closedPort + "/")))
        .startsWith("HTTP/1.1 502 ")
        .contains("\"type\":\"destination_unreachable\"");
    List<LedgerEntry> connections = proxy.closeAndRead(EntryType.CONNECTION);
    // A connection's record is written when the gateway sees it close, which for the first
    // exchange may be after the second has been answered: the order is not part of the contract.
    assertThat(connections)
        .extracting(e -> e.getString("decision") + " " + e.getString("reason"))
        .containsExactlyInAnyOrder(
            "error destination_unresolvable", "error destination_unreachable");
  }

  @Test
  void haltedEgressIs503AndNothingLeaves() throws Exception {
    proxy = new ForwardFixture(dir, new ForwardFixture.Yaml(), names("api.corp.example"));
    proxy.halts().halt("employee", "incident 42", 0);
    assertThat(RawClient.exchange(proxy.port(), connect("api.corp.example:" + origin.port())))
        .startsWith("HTTP/1.1 503 ")
        .contains("\"type\":\"egress_halted\"", "incident 42");
    assertThat(origin.connections()).isZero();
    assertThat(proxy.closeAndRead(EntryType.DENY))
        .extracting(e -> e.getString("reason"))
        .containsExactly("egress_halted");
  }
}
