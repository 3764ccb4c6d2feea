package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.gateway.forward.NoLeaks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway and edge on loopback with one multiplexed link between them ({@link LinkFixture}):
 * clients get exactly the upstream's bytes, many clients share one link, and the budgets were
 * charged exactly the bytes the gateway wrote on the link.
 */
@Timeout(120)
@ExtendWith(NoLeaks.class)
class EdgeLinkTest {

  @TempDir Path dir;

  @Test
  void oneClientGetsTheStreamExactly() throws Exception {
    try (LinkFixture f = new LinkFixture(dir, "100MB", false, "30ms", "enforce")) {
      Http1.Response r = Http1.exchange(f.edgeAddress(), Http1.post("/sse?n=20&i=1", "acme"));
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(LinkFixture.sseBody(20, 1));
      Http1.Response j = Http1.exchange(f.edgeAddress(), Http1.post("/json?n=500", "acme"));
      assertThat(j.body()).isEqualTo(LinkFixture.jsonBody(500));
      assertThat(f.proxy().connections()).isEqualTo(1);
      f.stopEdge();
      long charged = f.sent("tenant:inference/acme");
      // One connection entry per stream, as for a direct client, with what it was charged.
      List<dev.sluice.ledger.LedgerEntry> entries =
          f.closeAndRead(dev.sluice.ledger.EntryType.CONNECTION);
      assertThat(entries).hasSize(2);
      assertThat(entries).allSatisfy(e -> assertThat(e.getString("decision")).isEqualTo("allow"));
      assertThat(entries.stream().mapToLong(e -> e.getLong("charged")).sum()).isEqualTo(charged);
    }
  }

  @Test
  void inReportModeASpentBudgetLetsTheStreamThroughAsWouldDeny() throws Exception {
    try (LinkFixture f = new LinkFixture(dir, "1KB", false, "20ms", "report")) {
      Http1.Response r = Http1.exchange(f.edgeAddress(), Http1.post("/sse?n=3000&i=4", "acme"));
      assertThat(r.body()).isEqualTo(LinkFixture.sseBody(3000, 4));
      f.stopEdge();
      assertThat(f.stats().listener("edge").wouldDenyBytes.sum()).isPositive();
      assertThat(f.sent("tenant:inference/acme")).isLessThanOrEqualTo(1_000);
    }
  }

  @Test
  void manyClientsShareOneLinkAndEveryLinkByteIsCharged() throws Exception {
    for (boolean tls : new boolean[] {false, true}) {
      Path d = dir.resolve(tls ? "tls" : "plain");
      java.nio.file.Files.createDirectories(d);
      try (LinkFixture f = new LinkFixture(d, "100MB", tls, "20ms", "enforce")) {
        run(f, 24, 40);
        f.stopEdge(); // GOAWAY: the link ends cleanly, every byte written
        assertThat(f.proxy().connections()).isEqualTo(1);
        long charged = f.siteSent() + f.controlSent();
        assertThat(charged).as("tls=%s", tls).isEqualTo(f.proxy().bytesFromTarget());
      }
    }
  }

  @Test
  void aBudgetRunningOutRefusesItsOwnStreamsOnlyAndTheChargesStillAddUp() throws Exception {
    for (boolean tls : new boolean[] {false, true}) {
      Path d = dir.resolve(tls ? "tls" : "plain");
      java.nio.file.Files.createDirectories(d);
      // The codec makes these repetitive streams cost a byte or two an event: a small cap.
      try (LinkFixture f = new LinkFixture(d, "1KB", tls, "20ms", "enforce")) {
        int clients = 16;
        int n = 300;
        List<Http1.Response> rs = runMixed(f, clients, n, i -> i % 2 == 0 ? "acme" : "beta");
        int refused = 0;
        for (int i = 0; i < clients; i++) {
          Http1.Response r = rs.get(i);
          if (i % 2 == 1) {
            assertThat(r.status()).as("beta %d: %s", i, r.text()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(LinkFixture.sseBody(n, i));
          } else if (r.status() == 429) {
            refused++;
            assertThat(r.text()).contains("egress_budget_exhausted");
          } else if (r.body() == null || r.reset()) {
            refused++; // cut mid-response: reset, never a short body passing for a whole one
            assertThat(r.reset()).as("acme %d cut: %s", i, r.text()).isTrue();
          } else {
            assertThat(r.body()).isEqualTo(LinkFixture.sseBody(n, i));
          }
        }
        assertThat(refused).as("acme's streams ran out of budget").isPositive();
        f.stopEdge();
        assertThat(f.proxy().connections()).as("one link, never reset").isEqualTo(1);
        assertThat(f.siteSent() + f.controlSent())
            .as("tls=%s overcharged %s", tls, f.stats().edge().overcharged.sum())
            .isEqualTo(f.proxy().bytesFromTarget());
        assertThat(f.sent("tenant:inference/acme")).isLessThanOrEqualTo(1_000);
      }
    }
  }

  @Test
  void aHaltRefusesEveryStreamOfTheZoneAtItsNextCharge() throws Exception {
    try (LinkFixture f = new LinkFixture(dir, "100MB", false, "20ms", "enforce")) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Http1.Response>> rs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          int k = i;
          rs.add(
              pool.submit(
                  () ->
                      Http1.exchange(
                          f.edgeAddress(), Http1.post("/sse?n=400&i=" + k + "&pace=5", "beta"))));
        }
        // Halt once the streams are under way: the upstream got every request.
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (f.upstreamRequests.get() < 8 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        f.halts().halt("inference", "test", 0);
        for (Future<Http1.Response> r : rs) {
          Http1.Response x = r.get();
          assertThat(x.body() == null || x.reset() || x.status() == 503 || x.status() == 429)
              .as("halted stream: %s", x.text())
              .isTrue();
        }
      } finally {
        pool.shutdownNow();
      }
      f.stopEdge();
      assertThat(f.siteSent() + f.controlSent()).isEqualTo(f.proxy().bytesFromTarget());
    }
  }

  @Test
  void aDrainingGatewaySendsGoAwayAndTheStreamsInProgressFinish() throws Exception {
    try (LinkFixture f = new LinkFixture(dir, "100MB", false, "20ms", "enforce")) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Http1.Response>> rs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          int k = i;
          rs.add(
              pool.submit(
                  () ->
                      Http1.exchange(
                          f.edgeAddress(), Http1.post("/sse?n=100&i=" + k + "&pace=5", "beta"))));
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (f.upstreamRequests.get() < 4 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        f.gateway().stopAccepting();
        Future<Integer> cut =
            pool.submit(() -> f.gateway().drain(java.time.Duration.ofSeconds(20)));
        for (int i = 0; i < 4; i++) {
          Http1.Response r = rs.get(i).get();
          assertThat(r.body())
              .as("stream %d finished during the drain", i)
              .isEqualTo(LinkFixture.sseBody(100, i));
        }
        assertThat(cut.get()).as("connections cut at the deadline").isZero();
        // The close future completes just before the link's channelInactive counts it closed.
        long until = System.nanoTime() + 5_000_000_000L;
        while (f.stats().edge().linksOpen.sum() != 0 && System.nanoTime() < until) {
          Thread.onSpinWait();
        }
        assertThat(f.stats().edge().linksOpen.sum()).isZero();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  static List<Http1.Response> runMixed(
      LinkFixture f, int clients, int n, java.util.function.IntFunction<String> tenant)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Http1.Response>> rs = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        int k = i;
        rs.add(
            pool.submit(
                () ->
                    Http1.exchange(
                        f.edgeAddress(),
                        Http1.post("/sse?n=" + n + "&i=" + k + "&pace=2", tenant.apply(k)))));
      }
      List<Http1.Response> out = new ArrayList<>();
      for (Future<Http1.Response> r : rs) {
        out.add(r.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code clients} concurrent clients of three tenants, each an SSE stream of {@code n}. */
  static void run(LinkFixture f, int clients, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Http1.Response>> rs = new ArrayList<>();
      String[] tenants = {"acme", "beta", "gamma"};
      for (int i = 0; i < clients; i++) {
        int k = i;
        rs.add(
            pool.submit(
                () ->
                    Http1.exchange(
                        f.edgeAddress(),
                        Http1.post("/sse?n=" + n + "&i=" + k + "&pace=5", tenants[k % 3]))));
      }
      for (int i = 0; i < clients; i++) {
        Http1.Response r = rs.get(i).get();
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(LinkFixture.sseBody(n, i));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
