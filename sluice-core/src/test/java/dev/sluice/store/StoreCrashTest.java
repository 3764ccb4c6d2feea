package dev.sluice.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.budget.BudgetNode;
import dev.sluice.budget.BudgetPath;
import dev.sluice.budget.BudgetTree;
import dev.sluice.budget.Limit;
import dev.sluice.ledger.EntryType;
import dev.sluice.ledger.LedgerVerifier;
import dev.sluice.ledger.VerifyReport;
import dev.sluice.time.ManualClock;
import dev.sluice.time.Window;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process that is granting and spending escrow with SIGKILL at random points, several times
 * on the same data dir, and shows after each restart that the counters rebuilt from the ledger are
 * never below what the process had charged, that no cap was passed, and that the ledger verifies.
 */
class StoreCrashTest {

  private static final String START = "2026-11-22T10:00:00Z";

  @TempDir Path dir;

  @Test
  void killDashNineNeverLosesACharge() throws Exception {
    BudgetTree tree = StoreFixture.defaultTree();
    Map<String, BudgetPath> byKey = new HashMap<>();
    for (String zone : tree.zones()) {
      for (String t : tree.tenants(zone)) {
        byKey.put(tree.path(zone, t, null).key(), tree.path(zone, t, null));
        for (String d : tree.destinations(zone)) {
          byKey.put(tree.path(zone, t, d).key(), tree.path(zone, t, d));
        }
      }
    }
    long[] charged = new long[tree.nodes().size()];
    Random rnd = new Random(20261122L);
    int stranded = 0;
    int resumed = 0;
    for (int round = 0; round < 6; round++) {
      int killAfter = 20 + rnd.nextInt(400);
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrashWorkload.class.getName(),
                  dir.toString(),
                  Long.toString(rnd.nextLong()),
                  START)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      int lines = 0;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null && lines < killAfter) {
          if (line.startsWith("C ")) {
            String[] parts = line.split(" ");
            BudgetPath path = byKey.get(parts[1]);
            long n = Long.parseLong(parts[2]);
            for (int i = 0; i < path.nodeCount(); i++) {
              charged[path.node(i).index()] += n;
            }
          }
          lines++;
        }
        // SIGKILL: no shutdown hooks, no settlement, no snapshot.
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(lines).as("round %d: the child ran", round).isGreaterThan(0);

      try (LocalBudgetStore store =
          LocalBudgetStore.open(
              tree,
              StoreFixture.UTC,
              new StoreFixture(dir).ledgerOptions(),
              new ChunkPolicy(2_000, 20_000),
              StoreFixture.TTL,
              ManualClock.at(START))) {
        for (BudgetNode node : tree.nodes()) {
          for (Window w : Window.values()) {
            assertThat(store.usage(node, w).spent())
                .as("round %d: %s %s never below what was charged", round, node.id(), w)
                .isGreaterThanOrEqualTo(charged[node.index()]);
          }
          for (Limit l : node.limits()) {
            assertThat(charged[node.index()])
                .as("%s %s", node.id(), l)
                .isLessThanOrEqualTo(l.cap());
          }
        }
        stranded += store.stranded().sets();
        if (store.ledger().recovery().resumed()) {
          resumed++;
        }
      }
      VerifyReport report = LedgerVerifier.verify(dir);
      assertThat(report.ok()).as("round %d: %s", round, report).isTrue();
    }
    // The crashes left escrow unsettled at least once, and it was ledgered as stranded.
    assertThat(stranded).isGreaterThan(0);
    assertThat(LocalBudgetStoreTest.entries(dir, EntryType.STRANDED)).hasSize(stranded);
    assertThat(charged[0]).as("site charged").isPositive();
    // Restarts resumed from a snapshot (written by the child or at the previous clean close).
    assertThat(resumed).isPositive();
  }
}
