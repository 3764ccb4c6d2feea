package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.cluster.ClusterFixture;
import dev.sluice.cluster.EtcdBudgetStore;
import dev.sluice.cluster.EtcdCluster;
import dev.sluice.cluster.EtcdKeys;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.Ledger;
import dev.sluice.ledger.LedgerEntry;
import dev.sluice.store.ChunkPolicy;
import dev.sluice.store.GrantRequest;
import dev.sluice.store.GrantResult;
import dev.sluice.store.Settlement;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import dev.sluice.time.WindowCalendar;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice ledger reconcile} end to end in-process: two gateway nodes' ledgers written by real
 * etcd stores against one real etcd, then the command's output and exit codes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LedgerReconcileCommandTest {

  @TempDir static Path shared;
  static EtcdCluster etcd;
  static Client client;
  static String endpoint;
  static final String PREFIX = "/sluice/reconcile-cli";
  static Path gw1;
  static Path gw2;
  static String tenantDayKey;
  static long tenantDay;

  @TempDir Path dir;

  @BeforeAll
  static void twoNodes() throws Exception {
    etcd = EtcdCluster.start(shared.resolve("etcd"), 1);
    client = ClusterFixture.client(etcd.clientUrls());
    endpoint = etcd.clientUrls().get(0).toString();
    ManualClock clock = ManualClock.at("2026-11-22T12:00:00Z");
    BudgetTree tree = ClusterFixture.tree(1_000_000);
    BudgetPath path = ClusterFixture.tenantPath(tree);
    ChunkPolicy policy = new ChunkPolicy(1_000, 100_000);
    gw1 = shared.resolve("gw-1");
    gw2 = shared.resolve("gw-2");
    for (Path data : List.of(gw1, gw2)) {
      String node = data.getFileName().toString();
      try (Ledger ledger = ClusterFixture.ledger(data, clock)) {
        // As `sluice run` does: the START entry names the node's time zone.
        ledger
            .append(
                LedgerEntry.builder(EntryType.START, clock.millis())
                    .put("site", "t")
                    .put("time_zone", "UTC")
                    .build())
            .get(10, TimeUnit.SECONDS);
        try (EtcdBudgetStore s =
            ClusterFixture.open(
                tree,
                ClusterFixture.options(etcd.clientUrls(), PREFIX, node, Duration.ofSeconds(2)),
                policy,
                clock,
                ledger)) {
          GrantResult.Granted g =
              (GrantResult.Granted)
                  s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);
          clock.advance(Duration.ofSeconds(1));
          s.settle(
                  new Settlement(
                      path, g.setId(), g.setTime(), g.amount(), 4_000, g.amount() - 4_000, "idle"))
              .get(10, TimeUnit.SECONDS);
          // and one set left open in etcd
          s.grant(new GrantRequest(path, 0, 1, 0)).get(10, TimeUnit.SECONDS);
        }
      }
    }
    long day = new WindowCalendar(ClusterFixture.UTC).periodStart(Window.DAY, clock.millis());
    tenantDayKey = new EtcdKeys(PREFIX).counter("tenant:z/t", Window.DAY, day);
    tenantDay = ClusterFixture.counter(client, tenantDayKey);
  }

  @AfterAll
  static void stopEtcd() {
    if (client != null) {
      client.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  private static CliRun reconcile(String... args) {
    List<String> all = new ArrayList<>(List.of("ledger", "reconcile"));
    all.addAll(List.of(args));
    return CliRun.of(all.toArray(new String[0]));
  }

  private static String[] etcdOptions() {
    return new String[] {"--endpoints", endpoint, "--prefix", PREFIX};
  }

  private static String[] with(String[] first, String... more) {
    List<String> l = new ArrayList<>(List.of(first));
    l.addAll(List.of(more));
    return l.toArray(new String[0]);
  }

  @Test
  void everyLedgerGivenExitsZeroWithATable() {
    CliRun r = reconcile(with(etcdOptions(), gw1.toString(), gw2.toString()));

    assertThat(r.err()).isEmpty();
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .startsWith("etcd " + endpoint + " prefix " + PREFIX + ", revision ")
        .contains("; time zone UTC") // from the ledgers' START entries
        .contains("periods compared: day 2026-11-22, week 2026-11-16, month 2026-11, lifetime")
        .containsPattern(
            "tenant:z/t\\s+day 2026-11-22\\s+spent\\s+" + tenantDay + "\\s+" + tenantDay + "\\s+ok")
        .doesNotContain("DIFFERS");
    assertThat(r.out().strip().lines().reduce((a, b) -> b).orElseThrow())
        .startsWith("OK every compared counter matches (");
  }

  @Test
  void jsonHasEveryComparedCounter() throws Exception {
    CliRun r =
        reconcile(
            with(etcdOptions(), "--time-zone", "UTC", "--json", gw1.toString(), gw2.toString()));

    assertThat(r.exitCode()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.path("format").asText()).isEqualTo("sluice-reconcile/v1");
    assertThat(j.path("ok").asBoolean()).isTrue();
    assertThat(j.path("prefix").asText()).isEqualTo(PREFIX);
    assertThat(j.path("nodes")).hasSize(2);
    assertThat(j.path("nodes").get(0).path("open_in_etcd").asInt()).isEqualTo(1);
    assertThat(j.path("keys").path("differing").asInt()).isZero();
    assertThat(j.path("counters"))
        .isNotEmpty()
        .allSatisfy(c -> assertThat(c.path("match").asBoolean()).isTrue());
  }

  @Test
  void aLedgerLeftOutExitsOneAndNamesItsNode() {
    CliRun r = reconcile(with(etcdOptions(), gw1.toString()));

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern("gw-2\\s+NONE GIVEN")
        .contains("DIFFERS")
        .contains("open sets of nodes whose ledger was not given: gw-2 ")
        .contains("node gw-2 is in etcd (sequence 2, 1 open set holding");
    assertThat(r.out().strip().lines().reduce((a, b) -> b).orElseThrow()).startsWith("FAIL ");
  }

  @Test
  void aChangedCounterExitsOneWithBothValues() throws Exception {
    put(tenantDayKey, Long.toString(tenantDay + 777));
    try {
      CliRun r = reconcile(with(etcdOptions(), gw1.toString(), gw2.toString()));

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out())
          .contains(
              "  "
                  + tenantDayKey
                  + ": etcd "
                  + (tenantDay + 777)
                  + ", ledgers "
                  + tenantDay
                  + " (+777)\n"
                  + "    - etcd counts 777 bytes more than the given ledgers account for although"
                  + " every node in etcd has a ledger here")
          .endsWith("FAIL 1 of " + r.out().split("FAIL 1 of ")[1]);
      JsonNode j =
          new ObjectMapper()
              .readTree(
                  reconcile(with(etcdOptions(), "--json", gw1.toString(), gw2.toString())).out());
      JsonNode diff = null;
      for (JsonNode c : j.path("counters")) {
        if (!c.path("match").asBoolean()) {
          diff = c;
        }
      }
      assertThat(diff).isNotNull();
      assertThat(diff.path("key").asText()).isEqualTo(tenantDayKey);
      assertThat(diff.path("etcd").asLong()).isEqualTo(tenantDay + 777);
      assertThat(diff.path("ledgers").asLong()).isEqualTo(tenantDay);
      assertThat(diff.path("difference").asLong()).isEqualTo(777);
    } finally {
      put(tenantDayKey, Long.toString(tenantDay));
    }
  }

  @Test
  void theConfigurationGivesEndpointsPrefixAndTimeZone() throws Exception {
    Path config = dir.resolve("gw-1.yaml");
    Files.writeString(
        config,
        ConfigLocator.embeddedQuickstart()
            + "\nnode_id: gw-1\nstore:\n  type: etcd\n  endpoints: [\""
            + endpoint
            + "\"]\n  prefix: "
            + PREFIX
            + "\n");

    CliRun r = reconcile("--config", config.toString(), gw1.toString(), gw2.toString());

    assertThat(r.err()).isEmpty();
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("etcd " + endpoint + " prefix " + PREFIX + ", revision ");

    Path local = dir.resolve("local.yaml");
    Files.writeString(local, ConfigLocator.embeddedQuickstart());
    CliRun l = reconcile("--config", local.toString(), gw1.toString());
    assertThat(l.exitCode()).isEqualTo(2);
    assertThat(l.err())
        .isEqualTo(
            "error: "
                + local
                + " does not use an etcd store (store.type is local): give --endpoints and"
                + " --prefix, or --config with a node's etcd configuration\n");
  }

  @Test
  void usageErrorsExitTwo() {
    CliRun none = reconcile(etcdOptions());
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("Missing required parameter: 'DIR'");

    CliRun bad = reconcile("--endpoints", "https://e:2379", "--prefix", PREFIX, gw1.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .startsWith("error: --endpoints https://e:2379: etcd endpoint must be an http:// URL");

    CliRun twice = reconcile(with(etcdOptions(), gw1.toString(), gw1.resolve("ledger").toString()));
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.err())
        .isEqualTo("error: ledger " + gw1.resolve("ledger") + " is given twice\n");

    CliRun zone = reconcile(with(etcdOptions(), "--time-zone", "Mars/Olympus", gw1.toString()));
    assertThat(zone.exitCode()).isEqualTo(2);
    assertThat(zone.err()).isEqualTo("error: --time-zone Mars/Olympus: not a time zone id\n");
  }

  @Test
  void unreadableLedgerOrUnreachableEtcdExitThree() throws IOException {
    CliRun missing = reconcile(with(etcdOptions(), dir.resolve("nothing").toString()));
    assertThat(missing.exitCode()).isEqualTo(3);
    assertThat(missing.err()).startsWith("error: no ledger at " + dir.resolve("nothing"));

    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CliRun down =
        reconcile(
            "--endpoints",
            "http://127.0.0.1:" + port,
            "--prefix",
            PREFIX,
            "--timeout",
            "500ms",
            gw1.toString());
    assertThat(down.exitCode()).isEqualTo(3);
    assertThat(down.err())
        .startsWith(
            "error: etcd at http://127.0.0.1:"
                + port
                + " (prefix "
                + PREFIX
                + "): cannot read "
                + PREFIX
                + "/v1/: ");
  }

  @Test
  void helpShowsUsageAndExitCodes() {
    CliRun r = reconcile("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out())
        .contains("Usage: sluice ledger reconcile [-hV] [--json] [--no-verify] [--config=FILE]")
        .contains("Exit codes:")
        .contains("3   a ledger cannot be read, or etcd cannot be reached");
  }

  private static void put(String key, String value) throws Exception {
    client
        .getKVClient()
        .put(
            ByteSequence.from(key, StandardCharsets.UTF_8),
            ByteSequence.from(value, StandardCharsets.UTF_8))
        .get(10, TimeUnit.SECONDS);
  }
}
