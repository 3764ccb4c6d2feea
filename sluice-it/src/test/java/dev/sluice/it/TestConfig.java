package dev.sluice.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The YAML of a test node: site {@code it}, one zone {@code inference} whose tenants the test names
 * (no {@code default} tenant unless added: a request without a known {@code X-Tenant} is refused),
 * {@code reverse} listeners on {@code 127.0.0.1:0} in front of the given upstreams, the admin API
 * on {@code 127.0.0.1:0}, a data directory of the test's own, and small escrow chunks so that small
 * caps are reached with many grants. Site and zone caps are large unless set, so the tenants' caps
 * are what the tests hit.
 *
 * <pre>{@code
 * Path yaml = TestConfig.in(dataDir).tenant("acme", "day", "200KB").reverse("api", url).write(file);
 * }</pre>
 */
final class TestConfig {
  private final Path dataDir;
  private final List<String> siteLimits = new ArrayList<>(List.of("{ window: day, cap: 1GB }"));
  private final List<String> zoneLimits = new ArrayList<>(List.of("{ window: day, cap: 500MB }"));
  private final Map<String, List<String>> tenants = new LinkedHashMap<>();
  private final Map<String, String> listeners = new LinkedHashMap<>();
  private String controlAllowance = "1MiB";
  private String minChunk = "1KiB";
  private String maxChunk = "16KiB";
  private String nodeId;
  private String mode = "enforce";
  private String etcdStore;
  private String alerts;

  private TestConfig(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** A configuration whose {@code data_dir} is {@code dataDir}. */
  static TestConfig in(Path dataDir) {
    return new TestConfig(dataDir);
  }

  /** Replaces the site's limits, e.g. {@code "lifetime", "10MB"}: window and cap pairs. */
  TestConfig siteLimits(String... windowCapPairs) {
    replace(siteLimits, windowCapPairs);
    return this;
  }

  /** Replaces the zone's limits: window and cap pairs. */
  TestConfig zoneLimits(String... windowCapPairs) {
    replace(zoneLimits, windowCapPairs);
    return this;
  }

  /** Adds a tenant of zone {@code inference} with limits given as window and cap pairs. */
  TestConfig tenant(String name, String... windowCapPairs) {
    List<String> limits = new ArrayList<>();
    replace(limits, windowCapPairs);
    tenants.put(name, limits);
    return this;
  }

  /** Adds a {@code reverse} listener on {@code 127.0.0.1:0} with tenant header {@code X-Tenant}. */
  TestConfig reverse(String name, String upstreamUrl) {
    listeners.put(name, upstreamUrl);
    return this;
  }

  /** {@code enforce} (the default) or {@code report}. */
  TestConfig mode(String mode) {
    this.mode = mode;
    return this;
  }

  TestConfig controlAllowance(String size) {
    this.controlAllowance = size;
    return this;
  }

  TestConfig escrowChunks(String min, String max) {
    this.minChunk = min;
    this.maxChunk = max;
    return this;
  }

  /**
   * The shared {@code etcd} budget store instead of the local one: {@code node_id} and {@code
   * store: {type: etcd, endpoints, prefix, grant_ttl, timeout}}.
   *
   * @param grantTtl a duration such as {@code 2s} (at least {@code 1s})
   * @param timeout the etcd operation deadline, such as {@code 300ms}
   */
  TestConfig etcd(
      String nodeId, List<java.net.URI> endpoints, String prefix, String grantTtl, String timeout) {
    List<String> urls = new ArrayList<>();
    for (java.net.URI u : endpoints) {
      urls.add(quoted(u.toString()));
    }
    this.nodeId = nodeId;
    this.etcdStore =
        "{ type: etcd, endpoints: [ "
            + String.join(", ", urls)
            + " ], prefix: "
            + quoted(prefix)
            + ", grant_ttl: "
            + grantTtl
            + ", timeout: "
            + timeout
            + " }";
    return this;
  }

  /**
   * An {@code alerts} section: {@code webhook} as its only webhook, evaluated every {@code
   * interval} (a duration such as {@code 1s}).
   */
  TestConfig alerts(String webhook, String interval) {
    this.alerts =
        "alerts:\n  webhooks: [ { url: " + quoted(webhook) + " } ]\n  interval: " + interval + "\n";
    return this;
  }

  private static void replace(List<String> limits, String[] windowCapPairs) {
    if (windowCapPairs.length % 2 != 0) {
      throw new IllegalArgumentException("limits are window and cap pairs");
    }
    limits.clear();
    for (int i = 0; i < windowCapPairs.length; i += 2) {
      limits.add("{ window: " + windowCapPairs[i] + ", cap: " + windowCapPairs[i + 1] + " }");
    }
  }

  /**
   * The time zone of every test node: a fixed offset under which it is now about noon, so no day
   * window resets while a test runs (tests compare bytes against day caps).
   */
  static final java.time.ZoneOffset ZONE = farFromMidnight();

  private static java.time.ZoneOffset farFromMidnight() {
    long now = dev.sluice.time.Clock.system().millis();
    int utcHour = java.time.Instant.ofEpochMilli(now).atOffset(java.time.ZoneOffset.UTC).getHour();
    int offset = 12 - utcHour; // -11 .. +12, all valid offsets
    return java.time.ZoneOffset.ofHours(offset);
  }

  String yaml() {
    if (tenants.isEmpty() || listeners.isEmpty()) {
      throw new IllegalStateException("a test node needs a tenant and a listener");
    }
    StringBuilder y = new StringBuilder();
    y.append("site: it\n");
    y.append("model: { name: it-model, weight_bytes: 10GB }\n");
    y.append("mode: ").append(mode).append('\n');
    y.append("time_zone: ").append(quoted(ZONE.getId())).append('\n');
    y.append("data_dir: ").append(quoted(dataDir.toString())).append('\n');
    y.append("budgets:\n");
    y.append("  limits: [ ").append(String.join(", ", siteLimits)).append(" ]\n");
    y.append("  control_allowance: ").append(controlAllowance).append('\n');
    y.append("  zones:\n");
    y.append("    inference:\n");
    y.append("      limits: [ ").append(String.join(", ", zoneLimits)).append(" ]\n");
    y.append("      tenants:\n");
    tenants.forEach(
        (name, limits) -> {
          y.append("        ").append(name).append(": ");
          y.append(limits.isEmpty() ? "{}" : "{ limits: [ " + String.join(", ", limits) + " ] }");
          y.append('\n');
        });
    y.append("listeners:\n");
    listeners.forEach(
        (name, upstream) ->
            y.append("  - name: ")
                .append(name)
                .append("\n    mode: reverse\n    bind: 127.0.0.1:0\n    upstream: ")
                .append(upstream)
                .append("\n    zone: inference\n    tenant_header: X-Tenant\n"));
    if (etcdStore != null) {
      y.append("node_id: ").append(quoted(nodeId)).append('\n');
      y.append("store: ").append(etcdStore).append('\n');
    }
    y.append("admin: { bind: 127.0.0.1:0 }\n");
    y.append("escrow: { min_chunk: ")
        .append(minChunk)
        .append(", max_chunk: ")
        .append(maxChunk)
        .append(" }\n");
    if (alerts != null) {
      y.append(alerts);
    }
    return y.toString();
  }

  /** Writes the YAML to {@code file} and returns it. */
  Path write(Path file) throws IOException {
    Files.writeString(file, yaml(), StandardCharsets.UTF_8);
    return file;
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
