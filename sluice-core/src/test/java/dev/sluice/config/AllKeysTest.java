package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.net.Cidr;
import dev.sluice.net.HostPort;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A file that sets every key loads, and its keys are exactly the rows of the reference table in
 * {@code docs/configuration.md}: a key cannot be documented without being accepted, or used here
 * without being documented.
 */
class AllKeysTest {

  static final String EVERY_KEY =
      """
      site: dc-1
      node_id: gw-1.dc-1
      model:
        name: big-model
        weight_bytes: 1TB
        smallest_useful_copy: 1/16 weights
      time_zone: Europe/Berlin
      mode: enforce
      data_dir: /var/lib/sluice
      budgets:
        limits:
          - { window: day, cap: 0.1% weights }
          - { window: lifetime, cap: 10x weights }
        control_allowance: 2MiB
        zones:
          inference:
            limits: [ { window: week, cap: 5GB } ]
            tenants:
              default: {}
              acme: { limits: [ { window: month, cap: 3GB } ] }
            destinations:
              "*.corp.example": { limits: [ { window: day, cap: 100MB } ] }
              api.example.com: {}
            unknown_destinations: allow
            max_transfer: 1GiB
            detection: { index: none, tensors: false, action: alert, hold: 20ms }
      listeners:
        - name: api
          mode: reverse
          bind: 0.0.0.0:8443
          upstream: [ "http://10.0.0.5:8000", "http://10.0.0.6:8000" ]
          zone: inference
          tenant_header: X-Tenant
          tls: { cert: /etc/sluice/gw.pem, key: /etc/sluice/gw.key }
        - name: edge
          mode: reverse
          bind: 0.0.0.0:7443
          upstream: http://10.0.0.5:8000
          zone: inference
          peer: edge
        - name: proxy
          mode: forward
          bind: 127.0.0.1:3128
          zone: inference
          tenants_by_source: { "10.1.0.0/16": acme, "fd00::/8": default }
          deny_ranges: [ 127.0.0.0/8, "::1/128" ]
          proxy_users:
            ci: { tenant: acme, password_sha256: 2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b }
          lookups: { per_minute: 30, cache_size: 1000, cache_ttl: 1m, negative_ttl: 5s }
        - name: db
          mode: tcp
          bind: "[::1]:15432"
          upstream: db.example.com:5432
          zone: inference
          egress: upstream
          timeouts: { request_head: 5s, idle: 30s, upstream_connect: 3s, upstream_first_byte: 2m, tunnel_idle: 10m }
          connection_limits: { per_source: 64, per_tenant: 512 }
      timeouts:
        request_head: 20s
        idle: 2m
        upstream_connect: 5s
        upstream_first_byte: 10m
        tunnel_idle: 2h
      connection_limits:
        per_source: 128
        per_tenant: 2048
      admin:
        bind: 10.0.0.5:9000
        request_timeout: 5s
        idle_timeout: 30s
        max_connections_per_source: 8
        tls: { cert: /etc/sluice/admin.pem, key: /etc/sluice/admin.key }
        plaintext_on_network: false
      store:
        type: etcd
        endpoints: [ "http://10.0.0.7:2379", "http://10.0.0.8:2379" ]
        prefix: /sluice/dc-1
        grant_ttl: 1m
        timeout: 3s
      ledger:
        origin: example.com/sluice/dc-1
        signing_key: /etc/sluice/ledger.key
        checkpoint_interval: 500ms
        max_batch: 2MiB
      codec:
        model: /etc/sluice/site.model
        flush_window: 20ms
      escrow:
        min_chunk: 32KiB
        max_chunk: 8MiB
        low_water: 40
        grant_ttl: 1m
      alerts:
        webhooks:
          - { url: "http://10.0.0.9:9093/hook", timeout: 2s }
        thresholds: [ 25%, 50%, 90%, 100% ]
        interval: 2s
        rate: { multiple: 5, window: 30s, trailing: 2h, min_bytes_per_second: 10MB }
        incompressible: { window: 5m, ratio: 0.9, min_bytes: 10MB }
        checkpoint_max_age: 5m
        backoff: { initial: 500ms, max: 2m }
        queue: 500
        external_url: https://sluice.dc-1.example/
      detection:
        index: /etc/sluice/weights.sfi
        tensors: true
        action: block
        hold: 50ms
        anchor_stride: 4
      change_control:
        operators:
          alice: "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
          bob: "ed25519:AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        approvals: 2
      logging:
        format: json
      """;

  /** Values that are not descended into: limit lists (see "Limits"), upstreams, CIDR maps. */
  private static final Set<String> LEAVES =
      Set.of(
          "budgets.zones.Z.limits",
          "budgets.zones.Z.tenants.T.limits",
          "budgets.zones.Z.destinations.P.limits",
          "listeners[i].upstream",
          "store.endpoints",
          "listeners[i].tenants_by_source",
          "listeners[i].deny_ranges",
          "alerts.thresholds",
          "budgets.zones.Z.detection");

  /** Maps whose keys are names; the docs write them as placeholders. */
  private static final Map<String, String> NAMED =
      Map.of(
          "budgets.zones", "Z",
          "budgets.zones.Z.tenants", "T",
          "budgets.zones.Z.destinations", "P",
          "listeners[i].proxy_users", "U",
          "change_control.operators", "N");

  @Test
  void everyKeyLoads() {
    ConfigResult r = ConfigLoader.parse("every.yaml", EVERY_KEY);
    assertThat(r.errors()).isEmpty();
    assertThat(r.warnings()).isEmpty();
    SluiceConfig c = r.config();
    assertThat(c.budgets().limits().get(0).capBytes()).isEqualTo(1_000_000_000L);
    assertThat(c.zone("inference").allowUnknownDestinations()).isTrue();
    assertThat(c.listener("api").tls().key()).isEqualTo(Path.of("/etc/sluice/gw.key"));
    assertThat(c.listener("edge").peer()).isEqualTo(Peer.EDGE);
    assertThat(c.admin().tls().cert()).isEqualTo(Path.of("/etc/sluice/admin.pem"));
    assertThat(c.codec().model()).isEqualTo(Path.of("/etc/sluice/site.model"));
    assertThat(c.codec().flushWindow()).isEqualTo(Duration.ofMillis(20));
    assertThat(c.changeControl().operators()).containsOnlyKeys("alice", "bob");
    assertThat(c.changeControl().approvals()).isEqualTo(2);
    assertThat(c.detection())
        .isEqualTo(
            new DetectionConfig(
                Path.of("/etc/sluice/weights.sfi"),
                true,
                DetectionConfig.Action.BLOCK,
                Duration.ofMillis(50),
                4));
    assertThat(c.detection("inference"))
        .isEqualTo(
            new DetectionConfig(
                null, false, DetectionConfig.Action.ALERT, Duration.ofMillis(20), 4));
    assertThat(c.listener("db").bind()).isEqualTo(new HostPort("::1", 15432));
    assertThat(c.listener("proxy").forward().lookups())
        .isEqualTo(new LookupConfig(30, 1000, Duration.ofMinutes(1), Duration.ofSeconds(5)));
    assertThat(c.listener("proxy").forward().denyRanges())
        .containsExactly(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"));
    assertThat(c.listener("proxy").forward().proxyUser("ci").tenant()).isEqualTo("acme");
    assertThat(c.ledger().checkpointInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.escrow().lowWaterPercent()).isEqualTo(40);
    assertThat(c.store().nodeId()).isEqualTo("gw-1.dc-1");
    assertThat(c.logging().format()).isEqualTo(LoggingConfig.Format.JSON);
    assertThat(c.store().etcd().endpoints())
        .containsExactly(URI.create("http://10.0.0.7:2379"), URI.create("http://10.0.0.8:2379"));
    assertThat(c.store().etcd().timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.listener("api").limits())
        .isEqualTo(
            new ConnectionLimits(
                Duration.ofSeconds(20),
                Duration.ofMinutes(2),
                Duration.ofSeconds(5),
                Duration.ofMinutes(10),
                Duration.ofHours(2),
                128,
                2048));
    assertThat(c.listener("db").limits().tunnelIdle()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.listener("db").limits().maxPerTenant()).isEqualTo(512);
    assertThat(c.alerts().thresholdsPercent()).containsExactly(25, 50, 90, 100);
    assertThat(c.alerts().webhooks().get(0).url())
        .isEqualTo(URI.create("http://10.0.0.9:9093/hook"));
    assertThat(c.alerts().rate())
        .isEqualTo(
            new AlertsConfig.Rate(5, Duration.ofSeconds(30), Duration.ofHours(2), 10_000_000));
    assertThat(c.alerts().backoffMax()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.alerts().queue()).isEqualTo(500);
  }

  @Test
  void docsListExactlyTheseKeys() throws Exception {
    Set<String> used = new TreeSet<>();
    Object doc = new Load(LoadSettings.builder().build()).loadFromString(EVERY_KEY);
    walk("", doc, used);

    Path docs = ConfigFixture.quickstart().getParent().resolveSibling("docs/configuration.md");
    Set<String> documented = new TreeSet<>();
    String text = Files.readString(docs);
    String reference = text.substring(text.indexOf("## Reference"), text.indexOf("### Limits"));
    Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\|").matcher(reference);
    while (row.find()) {
      documented.add(row.group(1));
    }
    assertThat(documented).isEqualTo(used);
  }

  private static void walk(String path, Object value, Set<String> out) {
    if (LEAVES.contains(path)) {
      out.add(path);
    } else if (value instanceof Map<?, ?> map) {
      String placeholder = NAMED.get(path);
      if (placeholder != null) {
        out.add(path);
      }
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = placeholder != null ? placeholder : String.valueOf(e.getKey());
        walk(path.isEmpty() ? key : path + "." + key, e.getValue(), out);
      }
    } else if (value instanceof List<?> list) {
      out.add(path);
      for (Object item : list) {
        walk(path + "[i]", item, out);
      }
    } else {
      out.add(path);
    }
  }
}
