package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.demo.DemoOptions;
import dev.sluice.it.Probes.Sample;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network partition between one gateway node and etcd: node {@code c} reaches etcd only through a
 * {@link CuttableProxy} ({@code store.endpoints} is the proxy), nodes {@code a} and {@code b}
 * directly. When the proxy is cut, {@code c} serves from the escrow it holds until that expires
 * ({@code grant_ttl: 2s}), then answers {@code 503} naming its store, while {@code a} and {@code b}
 * keep answering {@code 200}. When the proxy heals, {@code c} (the same process) serves again by
 * itself. Every byte the clients received is counted in the tenant's etcd counter, within the cap.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterPartitionTest {
  private static final Clock CLOCK = Clock.system();
  private static final long CAP = 50_000_000;
  private static final String TENANT_NODE = "tenant:inference/acme";
  private static final Duration GRANT_TTL = Duration.ofSeconds(2);
  private static final Duration SLACK = Duration.ofMillis(500);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private ReplayUpstream upstream;
  private GatewaySite site;
  private CuttableProxy proxy;
  private Probes probes;

  @AfterEach
  void stop() {
    try {
      if (probes != null) {
        probes.close();
      }
    } finally {
      if (site != null) {
        site.close();
      }
      if (proxy != null) {
        proxy.close();
      }
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  @Test
  void theCutOffNodeFailsClosedAtExpiryWhileTheOthersServe() throws Exception {
    upstream = ReplayUpstream.start(Racers.answers(), DemoOptions.defaults());
    site = GatewaySite.start(dir, 1, "2s", "300ms");
    proxy = CuttableProxy.start(site.etcd().member(0).clientUrl());
    for (String id : List.of("a", "b")) {
      site.add(id, c -> c.tenant("acme", "day", "50MB").reverse("api", upstream.rootUrl()));
    }
    site.add(
        "c",
        List.of(proxy.url()),
        c -> c.tenant("acme", "day", "50MB").reverse("api", upstream.rootUrl()));
    site.startAll();
    Map<String, InetSocketAddress> targets = new LinkedHashMap<>();
    for (String id : List.of("a", "b", "c")) {
      targets.put(id, site.process(id).listener("api"));
    }
    long pidC = site.process("c").pid();
    probes = Probes.start(targets, "acme", upstream.answers().size());
    long t0 = CLOCK.nanos();
    for (String id : targets.keySet()) {
      assertThat(probes.awaitInARow(id, t0, 3, Duration.ofSeconds(20), Probes::isOk))
          .as("node %s serves before the partition: %s", id, probes.summary())
          .isTrue();
    }

    proxy.cut();
    long cut = CLOCK.nanos();
    Optional<Sample> refused =
        probes.await("c", cut, Duration.ofSeconds(30), s -> s.status() == 503);
    assertThat(refused).as("node c fails closed: %s", probes.summary()).isPresent();
    Racers.assertIsStoreUnavailable(
        refused.get().response(), "etcd:" + proxy.url() + site.prefix());
    assertThat(
            probes.awaitInARow(
                "c", refused.get().doneNanos(), 3, Duration.ofSeconds(30), s -> s.status() == 503))
        .as("node c keeps refusing while cut off: %s", probes.summary())
        .isTrue();
    // a and b serve on after c failed closed (and answered nothing but 200: checked below).
    for (String id : List.of("a", "b")) {
      long after = refused.get().doneNanos();
      assertThat(probes.awaitInARow(id, after, 10, Duration.ofSeconds(20), Probes::isOk))
          .as("node %s serves while c is cut off: %s", id, probes.summary())
          .isTrue();
    }
    long healing = CLOCK.nanos();
    proxy.heal();
    assertThat(probes.awaitInARow("c", healing, 3, Duration.ofSeconds(30), Probes::isOk))
        .as("node c serves again after the partition healed: %s", probes.summary())
        .isTrue();
    assertThat(site.process("c").pid()).as("node c was not restarted").isEqualTo(pidC);
    assertThat(site.process("c").isAlive()).isTrue();
    long healedChecked = CLOCK.nanos();
    probes.close();

    long paid = 0;
    long expiryBound = cut + GRANT_TTL.plus(SLACK).toNanos();
    for (Sample s : probes.all()) {
      int status = s.status();
      if (status == 200) {
        paid += s.response().raw().length;
        assertThat(Racers.isWholeAnswer(s.response(), upstream.answers().get(s.index()).text()))
            .as("a 200 of node %s is a whole corpus answer", s.node())
            .isTrue();
      }
      boolean whileCut = s.sentNanos() - cut >= 0 && s.sentNanos() - healing < 0;
      if (s.node().equals("c")) {
        assertThat(status).as("node c answered %s", s.response()).isIn(200, 503);
        if (whileCut && status == 200) {
          assertThat(s.sentNanos() - expiryBound)
              .as(
                  "c answered 200 to a request sent %d ms after the cut (grant_ttl %s)",
                  (s.sentNanos() - cut) / 1_000_000, GRANT_TTL)
              .isNegative();
        }
        if (whileCut && s.sentNanos() - refused.get().sentNanos() > 0) {
          assertThat(status).as("c after its first 503, still cut off").isEqualTo(503);
        }
      } else if (s.sentNanos() - healedChecked < 0) {
        assertThat(status).as("node %s answered %s", s.node(), s.response()).isEqualTo(200);
      }
    }
    long counter = site.dayCounter(TENANT_NODE);
    assertThat(counter)
        .as("the tenant's etcd counter against %d bytes received", paid)
        .isGreaterThanOrEqualTo(paid)
        .isLessThanOrEqualTo(CAP);
  }
}
