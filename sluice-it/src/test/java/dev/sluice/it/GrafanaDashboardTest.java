package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cluster.EtcdCluster;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard {@code deploy/grafana/sluice.json} uses only series Sluice exports, and
 * every query of it is valid PromQL.
 *
 * <p>What Sluice exports is found, not listed: the names in a real {@code /metrics} scrape of a
 * {@code sluice run} process with every feature that registers series configured (the etcd budget
 * store on a real etcd, alerts, an edge listener, detection, forward and tcp listeners), plus the
 * metric names declared in the code ({@code "sluice_..."} literals of the modules' main sources),
 * which covers labelled series that appear only once something has happened (a denial, a
 * detection). A declared counter is exported with {@code _total}, a histogram with {@code _bucket},
 * {@code _count} and {@code _sum}: a dashboard name is accepted if it was scraped, or if it is a
 * declared name or a declared name with one of those suffixes.
 *
 * <p>The PromQL check runs every query (Grafana's variables replaced by values) through {@code
 * promtool check rules} (Debian package {@code prometheus}, which .ci/run installs).
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GrafanaDashboardTest {

  private static final Path DASHBOARD = RepoRoot.get().resolve("deploy/grafana/sluice.json");
  private static final Pattern NAME = Pattern.compile("\\b(sluice_[a-z0-9_]+)\\b");
  private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern SERIES_LINE =
      Pattern.compile("^(?:# (?:TYPE|HELP) )?(sluice_[a-z0-9_]+)", Pattern.MULTILINE);
  private static final Pattern DECLARED = Pattern.compile("\"(sluice_[a-z0-9_]+)\"");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  private static EtcdCluster etcd;
  private static SluiceProcess node;
  private static String scrape;

  @BeforeAll
  static void scrapeANodeWithEveryFeature() throws Exception {
    etcd = EtcdCluster.start(dir.resolve("etcd"), 1);
    Path work = Files.createDirectories(dir.resolve("node"));
    String endpoint = etcd.clientUrls().get(0).toString();
    Path config =
        Files.writeString(
            work.resolve("sluice.yaml"),
            String.join(
                "\n",
                "site: dashboard",
                "node_id: dash-1",
                "model: { name: m, weight_bytes: 1GB }",
                "time_zone: UTC",
                "data_dir: " + work.resolve("data"),
                "store: { type: etcd, endpoints: [ \""
                    + endpoint
                    + "\" ], prefix: /sluice/dash,"
                    + " timeout: 2s }",
                "detection: { tensors: true, action: block }",
                "budgets:",
                "  limits: [ { window: day, cap: 1GB }, { window: lifetime, cap: 10GB } ]",
                "  zones:",
                "    inference:",
                "      limits: [ { window: day, cap: 500MB } ]",
                "      tenants:",
                "        default: { limits: [ { window: day, cap: 100MB } ] }",
                "listeners:",
                "  - { name: api, mode: reverse, bind: '127.0.0.1:0', upstream:"
                    + " 'http://127.0.0.1:9', zone: inference, tenant_header: X-Tenant }",
                "  - { name: api-edge, mode: reverse, bind: '127.0.0.1:0', upstream:"
                    + " 'http://127.0.0.1:9', zone: inference, tenant_header: X-Tenant, peer: edge }",
                "  - { name: proxy, mode: forward, bind: '127.0.0.1:0', zone: inference,"
                    + " tenants_by_source: { '127.0.0.0/8': default } }",
                "  - { name: raw, mode: tcp, bind: '127.0.0.1:0', upstream: '127.0.0.1:9', zone:"
                    + " inference, egress: client, tenants_by_source: { '127.0.0.0/8': default } }",
                "alerts:",
                "  webhooks: [ { url: 'http://127.0.0.1:9/hook' } ]",
                "  interval: 1s",
                "admin: { bind: '127.0.0.1:0' }",
                ""));
    node = SluiceProcess.start(config, work);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(node.adminUri("/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET /metrics").isEqualTo(200);
    scrape = r.body();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  /** Every PromQL expression of the dashboard: panel queries and variable queries. */
  private static List<String> expressions() throws IOException {
    JsonNode dash = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> exprs = new ArrayList<>();
    collectPanels(dash.path("panels"), exprs);
    for (JsonNode v : dash.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        exprs.add(v.path("definition").asText());
      }
    }
    return exprs;
  }

  private static void collectPanels(JsonNode panels, List<String> exprs) {
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        exprs.add(t.path("expr").asText());
      }
      collectPanels(p.path("panels"), exprs);
    }
  }

  /** The sluice_ names an expression uses (label values in quotes are not names). */
  static Set<String> names(String expr) {
    Set<String> out = new TreeSet<>();
    Matcher m = NAME.matcher(QUOTED.matcher(expr).replaceAll("\"\""));
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static Set<String> scraped() {
    Set<String> out = new TreeSet<>();
    Matcher m = SERIES_LINE.matcher(scrape);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /**
   * The "sluice_..." literals of every module's main sources but the benchmark's (it reads them).
   */
  private static Set<String> declared() throws IOException {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> modules = Files.list(RepoRoot.get())) {
      for (Path module :
          modules.filter(p -> p.getFileName().toString().startsWith("sluice-")).toList()) {
        Path src = module.resolve("src/main/java");
        if (module.getFileName().toString().equals("sluice-bench") || !Files.isDirectory(src)) {
          continue;
        }
        try (Stream<Path> files = Files.walk(src)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            Matcher m = DECLARED.matcher(Files.readString(f));
            while (m.find()) {
              out.add(m.group(1));
            }
          }
        }
      }
    }
    return out;
  }

  static boolean exported(String name, Set<String> scraped, Set<String> declared) {
    if (scraped.contains(name) || declared.contains(name)) {
      return true;
    }
    for (String suffix : List.of("_total", "_bucket", "_count", "_sum")) {
      if (name.endsWith(suffix)
          && declared.contains(name.substring(0, name.length() - suffix.length()))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theScrapeHasTheSeriesOfEveryConfiguredFeature() {
    Set<String> scraped = scraped();
    // One family of each feature the node was configured with: if one is missing, the node did
    // not run with it and the scrape proves less than this test claims.
    assertThat(scraped)
        .contains(
            "sluice_budget_cap_bytes",
            "sluice_exfiltration_days_at_cap",
            "sluice_egress_bytes_total",
            "sluice_edge_links_open",
            "sluice_cluster_node_live",
            "sluice_store_pending_settlements",
            "sluice_alerts_firing",
            "sluice_ledger_healthy");
  }

  @Test
  void everySeriesTheDashboardUsesIsExported() throws IOException {
    Set<String> scraped = scraped();
    Set<String> declared = declared();
    List<String> exprs = expressions();
    assertThat(exprs).as("queries in %s", DASHBOARD).hasSizeGreaterThan(20);
    Set<String> used = new TreeSet<>();
    List<String> unknown = new ArrayList<>();
    for (String e : exprs) {
      for (String n : names(e)) {
        used.add(n);
        if (!exported(n, scraped, declared)) {
          unknown.add(n + " in: " + e);
        }
      }
    }
    assertThat(unknown)
        .as("series the dashboard uses that Sluice does not export (scraped %s)", scraped)
        .isEmpty();
    // The areas the dashboard promises (docs/install.md, "Grafana").
    assertThat(used)
        .contains(
            "sluice_budget_spent_bytes",
            "sluice_budget_cap_bytes",
            "sluice_exfiltration_days_at_cap",
            "sluice_exfiltration_copy_days_at_current_rate",
            "sluice_egress_bytes_total",
            "sluice_denials_total",
            "sluice_escrow_held_bytes",
            "sluice_escrow_stranded_bytes",
            "sluice_cluster_escrow_expired_bytes",
            "sluice_edge_wire_bytes_total",
            "sluice_edge_raw_bytes_total",
            "sluice_ledger_healthy",
            "sluice_store_grant_seconds_bucket",
            "sluice_detections_total");
  }

  @Test
  void aNameThatIsNotExportedIsFound() {
    Set<String> scraped = scraped();
    Set<String> declared = Set.of("sluice_denials", "sluice_store_grant_seconds");
    assertThat(names("sum by (reason) (rate(sluice_denials_total{reason=\"sluice_x\"}[5m]))"))
        .containsExactly("sluice_denials_total");
    assertThat(exported("sluice_denials_total", Set.of(), declared)).isTrue();
    assertThat(exported("sluice_store_grant_seconds_bucket", Set.of(), declared)).isTrue();
    assertThat(exported("sluice_egress_bytes_renamed_total", scraped, declared)).isFalse();
    assertThat(exported("sluice_denials_count_total", scraped, declared)).isFalse();
  }

  @Test
  void everyQueryIsValidPromQl() throws Exception {
    List<String> exprs = expressions();
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int i = 0;
    for (String e : exprs) {
      if (e.startsWith("label_values(")) {
        // Grafana's variable function, not PromQL: its metric argument must parse as a selector.
        e = e.substring("label_values(".length(), e.lastIndexOf(','));
      }
      String promql =
          e.replace("$__rate_interval", "5m")
              .replaceAll("\\$\\{?[a-z_]+\\}?", ".*")
              .replace("'", "''");
      rules.append("      - record: dashboard:query_").append(i++).append('\n');
      rules.append("        expr: '").append(promql).append("'\n");
    }
    Path file = Files.writeString(dir.resolve("dashboard-rules.yml"), rules.toString());
    Process p =
        new ProcessBuilder(promtool(), "check", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue())
        .as("promtool check rules on the dashboard's queries:%n%s", out)
        .isZero();
    assertThat(out).contains("SUCCESS: " + exprs.size() + " rules found");
  }

  private static String promtool() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, "promtool"))) {
        return Path.of(d, "promtool").toString();
      }
    }
    throw new AssertionError(
        "promtool not found on PATH: install the Debian package prometheus (.ci/run installs it)");
  }
}
