package dev.sluice.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateway and edge on loopback with one multiplexed link between them ({@link LinkFixture}):
 * clients get exactly the upstream's bytes, many clients share one link, and the budgets were
 * charged exactly the bytes the gateway wrote on the link.
 */
@Timeout(120)
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
