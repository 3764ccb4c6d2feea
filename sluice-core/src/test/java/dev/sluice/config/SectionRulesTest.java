package dev.sluice.config;

import static dev.sluice.config.ConfigFixture.append;
import static dev.sluice.config.ConfigFixture.errors;
import static dev.sluice.config.ConfigFixture.load;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.net.HostPort;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The optional sections: admin, store, ledger, escrow. */
class SectionRulesTest {

  @Test
  void admin() {
    assertThat(load(append("admin:\n  bind: \"[::1]:9000\"\n")).admin().bind())
        .isEqualTo(new HostPort("::1", 9000));
    assertThat(load(append("admin: {}\n")).admin().bind()).isEqualTo(AdminConfig.DEFAULT_BIND);
    assertThat(errors(append("admin:\n  bind: nowhere\n")))
        .containsExactly(
            "t.yaml:20: admin.bind: missing port; expected host:port, e.g. 127.0.0.1:8080 (got"
                + " nowhere)");
    assertThat(errors(append("admin:\n  port: 9000\n")))
        .containsExactly(
            "t.yaml:20: admin.port: unknown key (allowed here: bind, request_timeout,"
                + " idle_timeout, max_connections_per_source, tls, plaintext_on_network)");
  }

  /** Issue 15: a non-loopback admin.bind serves HTTPS, or plain HTTP only by explicit consent. */
  @Test
  void aNonLoopbackAdminBindNeedsTlsOrAnExplicitOptOut() {
    String refused =
        "t.yaml:20: admin.bind: not a loopback address, so the admin token and the halt switch"
            + " would cross the network: set admin.tls { cert, key } to serve HTTPS, or"
            + " admin.plaintext_on_network: true to accept plain HTTP on the network (got %s)";
    assertThat(errors(append("admin:\n  bind: 0.0.0.0:0\n")))
        .containsExactly(refused.formatted("0.0.0.0:0"));
    assertThat(errors(append("admin:\n  bind: 10.0.0.5:9901\n")))
        .containsExactly(refused.formatted("10.0.0.5:9901"));
    assertThat(errors(append("admin:\n  bind: 0.0.0.0:0\n  plaintext_on_network: false\n")))
        .containsExactly(refused.formatted("0.0.0.0:0"));

    AdminConfig tls =
        load(append("admin:\n  bind: 0.0.0.0:0\n  tls: { cert: a.pem, key: a.key }\n")).admin();
    assertThat(tls.tls()).isEqualTo(new TlsConfig(Path.of("a.pem"), Path.of("a.key")));
    assertThat(tls.exposed()).isFalse();
    assertThat(tls.loopback()).isFalse();
    AdminConfig optOut =
        load(append("admin:\n  bind: 0.0.0.0:0\n  plaintext_on_network: true\n")).admin();
    assertThat(optOut.tls()).isNull();
    assertThat(optOut.plaintextOnNetwork()).isTrue();
    assertThat(optOut.exposed()).isTrue();
    AdminConfig loopbackTls = load(append("admin:\n  tls: { cert: a.pem, key: a.key }\n")).admin();
    assertThat(loopbackTls.tls()).isNotNull();
    assertThat(loopbackTls.exposed()).isFalse();

    assertThat(
            errors(
                append(
                    "admin:\n"
                        + "  bind: 0.0.0.0:0\n"
                        + "  tls: { cert: a.pem, key: a.key }\n"
                        + "  plaintext_on_network: true\n")))
        .containsExactly(
            "t.yaml:22: admin.plaintext_on_network: contradicts admin.tls (with TLS the admin API"
                + " is not plain HTTP) (got true)");
    assertThat(errors(append("admin:\n  plaintext_on_network: yes\n")))
        .containsExactly("t.yaml:20: admin.plaintext_on_network: expected true or false (got yes)");
    assertThat(errors(append("admin:\n  bind: 0.0.0.0:0\n  tls: { cert: a.pem }\n")))
        .containsExactly("t.yaml:21: admin.tls.key: is required");
  }

  @Test
  void adminTimeoutsAndPerSourceCap() {
    assertThat(load(append("admin: {}\n")).admin())
        .isEqualTo(
            new AdminConfig(
                AdminConfig.DEFAULT_BIND, Duration.ofSeconds(10), Duration.ofSeconds(60), 32));
    assertThat(
            load(append(
                    "admin:\n"
                        + "  request_timeout: 2s\n"
                        + "  idle_timeout: 30s\n"
                        + "  max_connections_per_source: 4\n"))
                .admin())
        .isEqualTo(
            new AdminConfig(
                AdminConfig.DEFAULT_BIND, Duration.ofSeconds(2), Duration.ofSeconds(30), 4));
    assertThat(
            errors(
                append(
                    "admin:\n"
                        + "  request_timeout: 10m\n"
                        + "  idle_timeout: 0s\n"
                        + "  max_connections_per_source: 0\n")))
        .containsExactly(
            "t.yaml:20: admin.request_timeout: must be between 100ms and 5m (got 10m)",
            "t.yaml:21: admin.idle_timeout: must be between 100ms and 1h (got 0s)",
            "t.yaml:22: admin.max_connections_per_source: must be between 1 and 10000 (got 0)");
    assertThat(new AdminConfig(new HostPort("127.0.0.1", 9901)).exposed()).isFalse();
    assertThat(new AdminConfig(new HostPort("::1", 9901)).exposed()).isFalse();
    assertThat(exposedBind("0.0.0.0").exposed()).isTrue();
    assertThat(exposedBind("10.0.0.5").exposed()).isTrue();
  }

  @Test
  void store() {
    assertThat(load(append("store: { type: local }\n")).store().type()).isEqualTo(StoreType.LOCAL);
    assertThat(load(append("store: {}\n")).store().type()).isEqualTo(StoreType.LOCAL);
    assertThat(errors(append("store: { type: redis }\n")))
        .containsExactly("t.yaml:19: store.type: must be one of local, etcd (got redis)");
    assertThat(errors(append("store: local\n")))
        .containsExactly("t.yaml:19: store: expected a map (got local)");
    assertThat(errors(append("store: { type: local, endpoints: [\"http://a:2379\"] }\n")))
        .containsExactly(
            "t.yaml:19: store.endpoints: only for store.type etcd; the local store keeps its"
                + " counters in data_dir (got a list)");
  }

  @Test
  void etcdStore() {
    StoreConfig s =
        load(append(
                "node_id: gw-2\n"
                    + "store: { type: etcd, endpoints: http://127.0.0.1:2379, grant_ttl: 10s }\n"))
            .store();
    assertThat(s.type()).isEqualTo(StoreType.ETCD);
    assertThat(s.nodeId()).isEqualTo("gw-2");
    assertThat(s.etcd().prefix()).isEqualTo("/sluice/t");
    assertThat(s.etcd().endpoints()).containsExactly(URI.create("http://127.0.0.1:2379"));
    assertThat(s.etcd().timeout()).isEqualTo(StoreConfig.DEFAULT_ETCD_TIMEOUT);
    assertThat(
            load(append(
                    "node_id: gw-2\n"
                        + "store: { type: etcd, endpoints: http://127.0.0.1:2379, grant_ttl: 10s"
                        + " }\n"))
                .escrow()
                .grantTtl())
        .isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void etcdStoreErrors() {
    assertThat(errors(append("store: { type: etcd, endpoints: [\"http://127.0.0.1:2379\"] }\n")))
        .containsExactly(
            "t.yaml:19: store.type: an etcd store needs node_id at the top level: a name unique to"
                + " this gateway node, e.g. node_id: gw-1 (got etcd)");
    assertThat(errors(append("node_id: a\nstore: { type: etcd }\n")))
        .containsExactly("t.yaml:20: store.endpoints: is required");
    assertThat(
            errors(
                append(
                    "node_id: a\nstore: { type: etcd, endpoints: [\"https://e:2379\", \"http://e\"]"
                        + " }\n")))
        .hasSize(2)
        .allMatch(e -> e.startsWith("t.yaml:20: store.endpoints["));
    assertThat(errors(append("node_id: Gw_1\n")))
        .singleElement()
        .asString()
        .startsWith("t.yaml:19: node_id: node id must be 1..64 characters");
    assertThat(
            errors(
                append(
                    "node_id: a\nstore: { type: etcd, endpoints: http://e:1, prefix: sluice/ }\n")))
        .singleElement()
        .asString()
        .startsWith("t.yaml:20: store.prefix: prefix must start with '/'");
    assertThat(
            errors(
                append(
                    "node_id: a\nstore: { type: etcd, endpoints: http://e:1, grant_ttl: 10s }\n"
                        + "escrow: { grant_ttl: 20s }\n")))
        .containsExactly(
            "t.yaml:20: store.grant_ttl: differs from escrow.grant_ttl (20s); they are one"
                + " setting, write it in one place (got 10s)");
  }

  @Test
  void ledger() {
    LedgerConfig l =
        load(append(
                "ledger:\n"
                    + "  origin: example.com/sluice/t\n"
                    + "  signing_key: keys/ledger.key\n"
                    + "  checkpoint_interval: 250ms\n"
                    + "  max_batch: 8MiB\n"))
            .ledger();
    assertThat(l)
        .isEqualTo(
            new LedgerConfig(
                "example.com/sluice/t",
                Path.of("keys/ledger.key"),
                Duration.ofMillis(250),
                8L << 20));
    assertThat(load(append("ledger: {}\n")).ledger()).isEqualTo(LedgerConfig.defaults("t"));
    assertThat(
            errors(
                append(
                    "ledger:\n"
                        + "  origin: \"two words\"\n"
                        + "  checkpoint_interval: 2h\n"
                        + "  max_batch: 1KiB\n")))
        .containsExactly(
            "t.yaml:20: ledger.origin: an origin must be printable ASCII without spaces or '+',"
                + " e.g. sluice/site-a (got two words)",
            "t.yaml:21: ledger.checkpoint_interval: must be between 10ms and 1h (got 2h)",
            "t.yaml:22: ledger.max_batch: must be between 4 KiB and 64 MiB (got 1KiB)");
    assertThat(errors(append("ledger:\n  checkpoint_interval: 1\n")))
        .containsExactly(
            "t.yaml:20: ledger.checkpoint_interval: a duration needs a unit: ms, s, m, h or d (e.g."
                + " 30s) (got 1)");
    assertThat(errors(append("ledger:\n  max_batch: 0.1% weights\n")))
        .containsExactly(
            "t.yaml:20: ledger.max_batch: a size relative to the weights is not allowed here (only"
                + " caps may use it) (got 0.1% weights)");
  }

  @Test
  void escrow() {
    EscrowConfig e =
        load(append(
                "escrow:\n"
                    + "  min_chunk: 16KiB\n"
                    + "  max_chunk: 1MiB\n"
                    + "  low_water: 50\n"
                    + "  grant_ttl: 2m\n"))
            .escrow();
    assertThat(e).isEqualTo(new EscrowConfig(16 << 10, 1 << 20, 50, Duration.ofMinutes(2)));
    assertThat(load(append("escrow: { low_water: 10% }\n")).escrow().lowWaterPercent())
        .isEqualTo(10);
    assertThat(load(append("escrow: {}\n")).escrow()).isEqualTo(EscrowConfig.DEFAULTS);
  }

  @Test
  void escrowRanges() {
    assertThat(
            errors(
                append(
                    "escrow:\n"
                        + "  min_chunk: 0\n"
                        + "  low_water: 91\n"
                        + "  grant_ttl: 500ms\n")))
        .containsExactly(
            "t.yaml:20: escrow.min_chunk: must be at least 1 B (got 0)",
            "t.yaml:21: escrow.low_water: must be between 1 and 90 percent (got 91)",
            "t.yaml:22: escrow.grant_ttl: must be between 1s and 1h (got 500ms)");
    assertThat(errors(append("escrow: { low_water: 0 }\n")))
        .containsExactly("t.yaml:19: escrow.low_water: must be between 1 and 90 percent (got 0)");
    assertThat(errors(append("escrow: { low_water: 2.5 }\n")))
        .containsExactly(
            "t.yaml:19: escrow.low_water: expected a whole percentage, e.g. 25 (got 2.5)");
  }

  @Test
  void minChunkMustNotExceedMaxChunk() {
    assertThat(errors(append("escrow:\n  min_chunk: 8MiB\n  max_chunk: 1MiB\n")))
        .containsExactly(
            "t.yaml:21: escrow.max_chunk: must be at least escrow.min_chunk (8 MiB) (got 1MiB)");
    assertThat(errors(append("escrow:\n  min_chunk: 8MiB\n")))
        .containsExactly(
            "t.yaml:20: escrow.min_chunk: must be at most escrow.max_chunk (4 MiB) (got 8MiB)");
  }

  @Test
  void codec() {
    assertThat(load(BASE_FOR_CODEC).codec()).isEqualTo(CodecConfig.defaults());
    assertThat(load(append("codec: {}\n")).codec()).isEqualTo(CodecConfig.defaults());
    assertThat(load(append("codec:\n  model: models/site.model\n")).codec().model())
        .isEqualTo(Path.of("models/site.model"));
    assertThat(errors(append("codec:\n  model: \"\"\n")))
        .containsExactly("t.yaml:20: codec.model: a path must not be empty (got \"\")");
    assertThat(errors(append("codec:\n  dictionary: x\n")))
        .hasSize(1)
        .allSatisfy(e -> assertThat(e).startsWith("t.yaml:20: codec.dictionary: "));
  }

  @Test
  void codecFlushWindow() {
    assertThat(load(BASE_FOR_CODEC).codec().flushWindow()).isEqualTo(Duration.ofMillis(30));
    assertThat(load(append("codec:\n  flush_window: 0ms\n")).codec().flushWindow())
        .isEqualTo(Duration.ZERO);
    assertThat(load(append("codec:\n  flush_window: 50ms\n")).codec().flushWindow())
        .isEqualTo(Duration.ofMillis(50));
    assertThat(errors(append("codec:\n  flush_window: 2s\n")))
        .containsExactly("t.yaml:20: codec.flush_window: must be between 0s and 1s (got 2s)");
    assertThat(errors(append("codec:\n  flush_window: soon\n")))
        .hasSize(1)
        .allSatisfy(e -> assertThat(e).startsWith("t.yaml:20: codec.flush_window: "));
  }

  /** A plain-HTTP admin config on {@code host}, with the operator's consent. */
  private static AdminConfig exposedBind(String host) {
    return new AdminConfig(
        new HostPort(host, 9901),
        AdminConfig.DEFAULT_REQUEST_TIMEOUT,
        AdminConfig.DEFAULT_IDLE_TIMEOUT,
        AdminConfig.DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
        null,
        true);
  }

  private static final String BASE_FOR_CODEC = append("");
}
