package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.BASE;
import static dev.sluice.config.ConfigFixture.append;
import static dev.sluice.config.ConfigFixture.errors;
import static dev.sluice.config.ConfigFixture.load;
import static dev.sluice.config.ConfigFixture.replace;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.net.Cidr;
import dev.sluice.net.HostPort;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** listeners: names, modes, binds, zones, upstreams, tenants, egress, tls. */
class ListenerRulesTest {

  /** A forward listener appended at lines 19..22. */
  private static final String FORWARD =
      "  - name: out\n    mode: forward\n    bind: 127.0.0.1:0\n    zone: z\n";

  /** A tcp listener appended at lines 19..23. */
  private static final String TCP =
      "  - name: db\n    mode: tcp\n    bind: 127.0.0.1:0\n    upstream: db.internal:5432\n"
          + "    zone: z\n";

  @Test
  void reverseListener() {
    ListenerConfig l = load(BASE).listener("api");
    assertThat(l.mode()).isEqualTo(ListenerMode.REVERSE);
    assertThat(l.bind()).isEqualTo(new HostPort("127.0.0.1", 0));
    assertThat(l.upstreams()).containsExactly("http://127.0.0.1:8000");
    assertThat(l.zone()).isEqualTo("z");
    assertThat(l.tenantHeader()).isNull();
    assertThat(l.tenantsBySource()).isEmpty();
    assertThat(l.egress()).isNull();
    assertThat(l.tls()).isNull();
  }

  @Test
  void atLeastOneListener() {
    String none = BASE.substring(0, BASE.indexOf("listeners:")) + "listeners: []\n";
    assertThat(errors(none))
        .containsExactly("t.yaml:13: listeners: at least one listener is required (got [])");
    assertThat(errors(BASE.substring(0, BASE.indexOf("listeners:"))))
        .containsExactly("t.yaml:1: listeners: is required");
  }

  @Test
  void requiredKeys() {
    assertThat(errors(append("  - { name: x }\n")))
        .containsExactly(
            "t.yaml:19: listeners[1].mode: is required",
            "t.yaml:19: listeners[1].bind: is required",
            "t.yaml:19: listeners[1].zone: is required");
  }

  @Test
  void namesAreLowerCaseAndUnique() {
    assertThat(errors(replace("name: api", "name: API")))
        .containsExactly(
            "t.yaml:14: listeners[0].name: invalid listener name: use lower-case letters, digits,"
                + " '_' and '-', starting with a letter or digit (got API)");
    assertThat(errors(append(FORWARD.replace("name: out", "name: api"))))
        .containsExactly(
            "t.yaml:19: listeners[1].name: listener names must be unique (first on line 14) (got"
                + " api)");
  }

  @Test
  void modes() {
    assertThat(errors(replace("mode: reverse", "mode: http")))
        .containsExactly(
            "t.yaml:15: listeners[0].mode: must be one of reverse, forward, tcp (got http)");
  }

  @Test
  void bindAddresses() {
    assertThat(load(replace("bind: 127.0.0.1:0", "bind: \"[::1]:8080\"")).listener("api").bind())
        .isEqualTo(new HostPort("::1", 8080));
    assertThat(errors(replace("bind: 127.0.0.1:0", "bind: 127.0.0.1:65536")))
        .containsExactly(
            "t.yaml:16: listeners[0].bind: the port must be a number 0..65535 (got"
                + " 127.0.0.1:65536)");
    assertThat(errors(replace("bind: 127.0.0.1:0", "bind: \"::1:80\"")))
        .containsExactly(
            "t.yaml:16: listeners[0].bind: an IPv6 address needs brackets, e.g. [::1]:8080 (got"
                + " ::1:80)");
    assertThat(errors(replace("bind: 127.0.0.1:0", "bind: 8080")))
        .containsExactly(
            "t.yaml:16: listeners[0].bind: missing port; expected host:port, e.g. 127.0.0.1:8080"
                + " (got 8080)");
  }

  @Test
  void bindAddressesAreUniqueAcrossListenersAndAdmin() {
    String twice =
        replace(BASE, "bind: 127.0.0.1:0", "bind: 127.0.0.1:8080")
            + FORWARD.replace("127.0.0.1:0", "0.0.0.0:8080");
    assertThat(errors(twice))
        .containsExactly(
            "t.yaml:21: listeners[1].bind: conflicts with the bind of listener api on line 16 (got"
                + " 0.0.0.0:8080)");
    assertThat(errors(replace("bind: 127.0.0.1:0", "bind: 127.0.0.1:9901")))
        .containsExactly(
            "t.yaml:16: listeners[0].bind: conflicts with the default admin bind 127.0.0.1:9901"
                + " (set admin.bind) (got 127.0.0.1:9901)");
    String admin =
        replace(BASE, "bind: 127.0.0.1:0", "bind: 127.0.0.1:7000")
            + "admin:\n  bind: 127.0.0.1:7000\n";
    assertThat(errors(admin))
        .containsExactly(
            "t.yaml:16: listeners[0].bind: conflicts with admin.bind on line 20 (got"
                + " 127.0.0.1:7000)");
    assertThat(errors(append(FORWARD))).as("port 0 twice is fine").isEmpty();
  }

  @Test
  void zoneMustExist() {
    assertThat(errors(replace("    zone: z\n", "    zone: y\n")))
        .containsExactly("t.yaml:18: listeners[0].zone: unknown zone (zones: z) (got y)");
  }

  @Test
  void upstreams() {
    assertThat(errors(replace("    upstream: http://127.0.0.1:8000\n", "")))
        .containsExactly("t.yaml:14: listeners[0].upstream: is required");
    String list =
        replace(
            "upstream: http://127.0.0.1:8000",
            "upstream: [ \"http://10.0.0.1:8000\", \"https://10.0.0.2\" ]");
    assertThat(load(list).listener("api").upstreams())
        .containsExactly("http://10.0.0.1:8000", "https://10.0.0.2");
    assertThat(errors(replace("upstream: http://127.0.0.1:8000", "upstream: 127.0.0.1:8000")))
        .containsExactly(
            "t.yaml:17: listeners[0].upstream: a reverse upstream must be an http:// or https://"
                + " URL, e.g. http://127.0.0.1:8000 (got 127.0.0.1:8000)");
    assertThat(
            errors(
                replace(
                    "upstream: http://127.0.0.1:8000",
                    "upstream: [ \"http://a:1\", \"ftp://b\", \"http://a:1\" ]")))
        .containsExactly(
            "t.yaml:17: listeners[0].upstream[1]: a reverse upstream must be an http:// or"
                + " https:// URL, e.g. http://127.0.0.1:8000 (got ftp://b)",
            "t.yaml:17: listeners[0].upstream[2]: listed twice (first on line 17) (got"
                + " http://a:1)");
    assertThat(errors(replace("upstream: http://127.0.0.1:8000", "upstream: []")))
        .containsExactly(
            "t.yaml:17: listeners[0].upstream: at least one upstream is required (got [])");
    assertThat(errors(append(FORWARD + "    upstream: http://x\n")))
        .containsExactly(
            "t.yaml:23: listeners[1].upstream: only allowed for reverse and tcp listeners (a"
                + " forward proxy's client names the destination)");
  }

  @Test
  void tenantHeader() {
    String yaml = append("    tenant_header: X-Tenant\n");
    assertThat(load(yaml).listener("api").tenantHeader()).isEqualTo("X-Tenant");
    assertThat(errors(append("    tenant_header: \"X Tenant\"\n")))
        .containsExactly(
            "t.yaml:19: listeners[0].tenant_header: not a valid HTTP header name (letters, digits"
                + " and !#$%&'*+-.^_`|~ only) (got X Tenant)");
    assertThat(errors(append(FORWARD + "    tenant_header: X-Tenant\n")))
        .containsExactly(
            "t.yaml:23: listeners[1].tenant_header: only allowed for reverse listeners (this one"
                + " is forward)");
  }

  @Test
  void tenantsBySource() {
    String yaml =
        append(
            FORWARD
                + "    tenants_by_source: { \"10.0.0.0/8\": default, \"fd00::/8\": default }\n");
    assertThat(load(yaml).listener("out").tenantsBySource())
        .containsExactly(
            java.util.Map.entry("10.0.0.0/8", "default"),
            java.util.Map.entry("fd00::/8", "default"));
    assertThat(
            errors(
                append(
                    FORWARD
                        + "    tenants_by_source:\n"
                        + "      10.0.0.1/8: default\n"
                        + "      10.0.0.0/8: nobody\n"
                        + "      \"::1/128\": default\n"
                        + "      \"0::1/128\": default\n")))
        .containsExactly(
            "t.yaml:24: listeners[1].tenants_by_source[\"10.0.0.1/8\"]: host bits are set; did you"
                + " mean 10.0.0.0/8? (got 10.0.0.1/8)",
            "t.yaml:25: listeners[1].tenants_by_source[\"10.0.0.0/8\"]: zone z has no such tenant"
                + " (tenants: default) (got nobody)",
            "t.yaml:27: listeners[1].tenants_by_source[\"0::1/128\"]: the same network as line 26"
                + " (got 0::1/128)");
    assertThat(errors(append("    tenants_by_source: { \"10.0.0.0/8\": default }\n")))
        .containsExactly(
            "t.yaml:19: listeners[0].tenants_by_source: only allowed for forward and tcp"
                + " listeners (this one is reverse)");
  }

  @Test
  void forwardDenyRanges() {
    assertThat(load(append(FORWARD)).listener("out").forward()).isEqualTo(ForwardConfig.defaults());
    assertThat(load(append(FORWARD)).listener("api").forward()).isNull();
    assertThat(
            load(append(FORWARD + "    deny_ranges: []\n")).listener("out").forward().denyRanges())
        .isEmpty();
    assertThat(
            load(append(FORWARD + "    deny_ranges: [ 10.0.0.0/8, \"fd00::/8\" ]\n"))
                .listener("out")
                .forward()
                .denyRanges())
        .containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));
    assertThat(
            errors(
                append(
                    FORWARD
                        + "    deny_ranges:\n"
                        + "      - 10.0.0.1/8\n"
                        + "      - 10.0.0.0/8\n"
                        + "      - \"10.0.0.0/8\"\n"
                        + "      - 10.0.0.0\n")))
        .containsExactly(
            "t.yaml:24: listeners[1].deny_ranges[0]: host bits are set; did you mean"
                + " 10.0.0.0/8? (got 10.0.0.1/8)",
            "t.yaml:26: listeners[1].deny_ranges[2]: the same network as line 25 (got"
                + " 10.0.0.0/8)",
            "t.yaml:27: listeners[1].deny_ranges[3]: expected a CIDR such as 10.0.0.0/8 (use /32"
                + " or /128 for one address) (got 10.0.0.0)");
    assertThat(errors(append(FORWARD + "    deny_ranges: 10.0.0.0/8\n")))
        .containsExactly("t.yaml:23: listeners[1].deny_ranges: expected a list (got 10.0.0.0/8)");
    assertThat(errors(append("    deny_ranges: []\n")))
        .containsExactly(
            "t.yaml:19: listeners[0].deny_ranges: only allowed for forward listeners (this one is"
                + " reverse)");
  }

  @Test
  void forwardProxyUsers() {
    String digest = "2BB80D537B1DA3E38BD30361AA855686BDE0EACD7162FEF6A25FE97BF527A25B";
    ListenerConfig l =
        load(append(
                FORWARD
                    + "    proxy_users:\n"
                    + "      ci: { tenant: default, password_sha256: "
                    + digest
                    + " }\n"))
            .listener("out");
    assertThat(l.forward().proxyUsers()).containsOnlyKeys("ci");
    assertThat(l.forward().proxyUser("ci"))
        .isEqualTo(new ProxyUserConfig("ci", "default", digest.toLowerCase(java.util.Locale.ROOT)));
    assertThat(l.forward().denyRanges()).isEqualTo(ForwardConfig.DEFAULT_DENY_RANGES);
    assertThat(
            errors(
                append(
                    FORWARD
                        + "    proxy_users:\n"
                        + "      \"a:b\": { tenant: default, password_sha256: "
                        + digest
                        + " }\n"
                        + "      ci: { tenant: nobody, password_sha256: abc }\n"
                        + "      ops: { tenant: default, pasword_sha256: x }\n")))
        .containsExactly(
            "t.yaml:24: listeners[1].proxy_users[\"a:b\"]: invalid proxy user name: ':' and '/'"
                + " are not allowed (names become node ids such as zone:NAME and"
                + " tenant:ZONE/NAME) (got a:b)",
            "t.yaml:25: listeners[1].proxy_users.ci.tenant: zone z has no such tenant (tenants:"
                + " default) (got nobody)",
            "t.yaml:25: listeners[1].proxy_users.ci.password_sha256: expected the SHA-256 of the"
                + " password as 64 hex digits (printf %s PASSWORD | sha256sum) (got abc)",
            "t.yaml:26: listeners[1].proxy_users.ops.pasword_sha256: unknown key; did you mean"
                + " password_sha256? (allowed here: tenant, password_sha256)",
            "t.yaml:26: listeners[1].proxy_users.ops.password_sha256: is required");
    assertThat(errors(append(TCP + "    egress: upstream\n    proxy_users: {}\n")))
        .containsExactly(
            "t.yaml:25: listeners[1].proxy_users: only allowed for forward listeners (this one is"
                + " tcp)");
  }

  @Test
  void tcpListeners() {
    ListenerConfig l = load(append(TCP + "    egress: upstream\n")).listener("db");
    assertThat(l.mode()).isEqualTo(ListenerMode.TCP);
    assertThat(l.upstreams()).containsExactly("db.internal:5432");
    assertThat(l.egress()).isEqualTo(Egress.UPSTREAM);
    assertThat(errors(append(TCP)))
        .containsExactly(
            "t.yaml:19: listeners[1].egress: is required for tcp listeners (upstream or client)");
    assertThat(
            errors(append(TCP.replace("db.internal:5432", "db.internal") + "    egress: client\n")))
        .containsExactly(
            "t.yaml:22: listeners[1].upstream: missing port; expected host:port, e.g."
                + " 127.0.0.1:8080 (got db.internal)");
    assertThat(errors(append(TCP.replace("db.internal:5432", "db:0") + "    egress: client\n")))
        .containsExactly(
            "t.yaml:22: listeners[1].upstream: an upstream port must be 1..65535 (got db:0)");
    assertThat(errors(append(TCP + "    egress: both\n")))
        .containsExactly(
            "t.yaml:24: listeners[1].egress: must be one of upstream, client (got both)");
    assertThat(errors(append(FORWARD + "    egress: client\n")))
        .containsExactly(
            "t.yaml:23: listeners[1].egress: only allowed for tcp listeners (this one is"
                + " forward)");
  }

  @Test
  void tls() {
    TlsConfig tls =
        load(append("    tls: { cert: certs/gw.pem, key: certs/gw.key }\n")).listener("api").tls();
    assertThat(tls).isEqualTo(new TlsConfig(Path.of("certs/gw.pem"), Path.of("certs/gw.key")));
    assertThat(errors(append("    tls: { cert: certs/gw.pem }\n")))
        .containsExactly("t.yaml:19: listeners[0].tls.key: is required");
    assertThat(errors(append(FORWARD + "    tls: { cert: a, key: b }\n")))
        .containsExactly(
            "t.yaml:23: listeners[1].tls: only allowed for reverse listeners (this one is"
                + " forward)");
  }

  @Test
  void unknownListenerKey() {
    assertThat(errors(append("    tenant-header: X\n")))
        .containsExactly(
            "t.yaml:19: listeners[0].tenant-header: unknown key; did you mean tenant_header?"
                + " (allowed here: name, mode, bind, upstream, zone, tenant_header,"
                + " tenants_by_source, egress, tls, deny_ranges, proxy_users, lookups, peer, timeouts,"
                + " connection_limits)");
  }

  @Test
  void listenersKeepFileOrder() {
    assertThat(load(append(FORWARD)).listeners())
        .extracting(ListenerConfig::name)
        .isEqualTo(List.of("api", "out"));
  }

  @Test
  void peerEdgeOnReverseAndForwardOnly() {
    assertThat(load(BASE).listener("api").peer()).isEqualTo(Peer.DIRECT);
    assertThat(load(append("    peer: edge\n")).listener("api").peer()).isEqualTo(Peer.EDGE);
    assertThat(load(append(FORWARD + "    peer: edge\n")).listener("out").peer())
        .isEqualTo(Peer.EDGE);
    assertThat(load(append(TCP + "    egress: upstream\n    peer: direct\n")).listener("db").peer())
        .isEqualTo(Peer.DIRECT);
    assertThat(errors(append(TCP + "    egress: upstream\n    peer: edge\n")))
        .containsExactly(
            "t.yaml:25: listeners[1].peer: peer: edge is only supported on reverse and forward"
                + " listeners (this one is tcp: a tcp listener carries no HTTP stream for the edge"
                + " to restore; put a reverse or forward listener in front) (got edge)");
    assertThat(errors(append("    peer: gateway\n")))
        .containsExactly("t.yaml:19: listeners[0].peer: must be one of direct, edge (got gateway)");
  }

  @Test
  void forwardLookupsHaveDefaultsAndCheckedRanges() {
    assertThat(load(append(FORWARD)).listener("out").forward().lookups())
        .isEqualTo(LookupConfig.defaults());
    assertThat(load(append(FORWARD + "    lookups: { per_minute: 0, negative_ttl: 0s }\n")))
        .satisfies(
            c -> {
              LookupConfig l = c.listener("out").forward().lookups();
              assertThat(l.perMinute()).isZero();
              assertThat(l.negativeTtl()).isZero();
              assertThat(l.cacheSize()).isEqualTo(LookupConfig.DEFAULT_CACHE_SIZE);
            });
    assertThat(
            errors(
                append(
                    FORWARD
                        + "    lookups: { per_minute: -1, cache_size: 0, cache_ttl: 2h, x: 1 }\n")))
        .containsExactly(
            "t.yaml:23: listeners[1].lookups.x: unknown key (allowed here: per_minute,"
                + " cache_size, cache_ttl, negative_ttl)",
            "t.yaml:23: listeners[1].lookups.per_minute: must be between 0 and 1000000 (got -1)",
            "t.yaml:23: listeners[1].lookups.cache_size: must be between 1 and 1000000 (got 0)",
            "t.yaml:23: listeners[1].lookups.cache_ttl: must be between 0s and 1h (got 2h)");
    assertThat(errors(append(TCP + "    egress: upstream\n    lookups: {}\n")))
        .singleElement()
        .asString()
        .contains("listeners[1].lookups");
  }
}
