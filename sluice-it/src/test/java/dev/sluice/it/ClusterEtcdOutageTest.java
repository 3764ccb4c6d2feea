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
 * A three-member etcd losing members under three gateway nodes that keep serving clients ({@code
 * grant_ttl: 2s}, {@code store.timeout: 300ms}):
 *
 * <ol>
 *   <li>one member stopped: every node keeps answering {@code 200};
 *   <li>a second member stopped (no majority, so no grant can commit): each node serves only from
 *       the escrow it holds, so no request sent later than its last grant's expiry is answered
 *       {@code 200}, and then every node answers {@code 503} {@code budget_store_unavailable} whose
 *       JSON names the store ({@code etcd:} + endpoints + prefix), and keeps doing so;
 *   <li>the two members started again: the same gateway processes (same pids, never restarted)
 *       answer {@code 200} again by themselves.
 * </ol>
 *
 * Throughout, every byte the clients received on {@code 200}s is counted in the tenant's etcd
 * counter, which stays within the cap.
 */
@Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterEtcdOutageTest {
  private static final Clock CLOCK = Clock.system();
  private static final long CAP = 50_000_000;
  private static final String TENANT_NODE = "tenant:inference/acme";
  private static final List<String> NODES = List.of("a", "b", "c");
  private static final Duration GRANT_TTL = Duration.ofSeconds(2);

  /** Scheduling slack on a busy 2-core machine: a request sent at expiry, answered just before. */
  private static final Duration SLACK = Duration.ofMillis(500);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private ReplayUpstream upstream;
  private GatewaySite site;
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
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  @Test
  void nodesFailClosedWithoutAMajorityAndRecoverWithoutRestarts() throws Exception {
    upstream = ReplayUpstream.start(Racers.answers(), DemoOptions.defaults());
    site = GatewaySite.start(dir, 3, "2s", "300ms");
    for (String id : NODES) {
      site.add(id, c -> c.tenant("acme", "day", "50MB").reverse("api", upstream.rootUrl()));
    }
    site.startAll();
    Map<String, InetSocketAddress> targets = new LinkedHashMap<>();
    Map<String, Long> pids = new LinkedHashMap<>();
    for (String id : NODES) {
      targets.put(id, site.process(id).listener("api"));
      pids.put(id, site.process(id).pid());
    }
    int answers = upstream.answers().size();
    probes = Probes.start(targets, "acme", answers);
    long t0 = CLOCK.nanos();
    for (String id : NODES) {
      assertThat(probes.awaitInARow(id, t0, 3, Duration.ofSeconds(20), Probes::isOk))
          .as("node %s serves before the outage: %s", id, probes.summary())
          .isTrue();
    }

    // 1. One member of three stopped: the other two are a majority, service goes on.
    site.etcd().stop(0);
    long oneDown = CLOCK.nanos();
    for (String id : NODES) {
      assertThat(probes.awaitInARow(id, oneDown, 10, Duration.ofSeconds(20), Probes::isOk))
          .as("node %s serves with one etcd member down: %s", id, probes.summary())
          .isTrue();
    }
    long oneDownChecked = CLOCK.nanos();

    // 2. A second member stopped: no majority, no grant can commit from here on.
    site.etcd().stop(1);
    long majorityLost = CLOCK.nanos();
    Map<String, Sample> first503 = new LinkedHashMap<>();
    for (String id : NODES) {
      Optional<Sample> refused =
          probes.await(id, majorityLost, Duration.ofSeconds(30), s -> s.status() == 503);
      assertThat(refused).as("node %s fails closed: %s", id, probes.summary()).isPresent();
      Racers.assertIsStoreUnavailable(
          refused.get().response(), site.node(id).storeName(site.prefix()));
      first503.put(id, refused.get());
    }
    // Keep refusing while the majority is lost: three more 503s in a row on every node.
    for (String id : NODES) {
      long after = first503.get(id).doneNanos();
      assertThat(probes.awaitInARow(id, after, 3, Duration.ofSeconds(30), s -> s.status() == 503))
          .as("node %s keeps refusing without a majority: %s", id, probes.summary())
          .isTrue();
    }
    long beforeRestart = CLOCK.nanos();

    // 3. Both members back: the same processes serve again by themselves.
    site.etcd().restart(0);
    site.etcd().restart(1);
    site.etcd().awaitHealthy(Duration.ofSeconds(30));
    long healed = CLOCK.nanos();
    for (String id : NODES) {
      assertThat(probes.awaitInARow(id, healed, 3, Duration.ofSeconds(30), Probes::isOk))
          .as("node %s serves again after etcd recovered: %s", id, probes.summary())
          .isTrue();
      assertThat(site.process(id).isAlive()).isTrue();
      assertThat(site.process(id).pid())
          .as("node %s was not restarted", id)
          .isEqualTo(pids.get(id));
    }
    probes.close();

    long paid = 0;
    long expiryBound = majorityLost + GRANT_TTL.plus(SLACK).toNanos();
    for (String id : NODES) {
      for (Sample s : probes.samples(id)) {
        int status = s.status();
        assertThat(status).as("node %s answered %s", id, s.response()).isIn(200, 503);
        if (status == 200) {
          paid += s.response().raw().length;
          assertThat(Racers.isWholeAnswer(s.response(), upstream.answers().get(s.index()).text()))
              .as("a 200 of node %s is a whole corpus answer", id)
              .isTrue();
        }
        // Sent after the majority was lost and answered before the members were started again:
        // the whole exchange happened while no grant could commit.
        boolean duringOutage =
            s.sentNanos() - majorityLost >= 0 && s.doneNanos() - beforeRestart < 0;
        if (duringOutage && status == 200) {
          assertThat(s.sentNanos() - expiryBound)
              .as(
                  "node %s answered 200 to a request sent %d ms after the majority was lost"
                      + " (grant_ttl %s)",
                  id, (s.sentNanos() - majorityLost) / 1_000_000, GRANT_TTL)
              .isNegative();
        }
        // A 503 before the escrow expired does not mean the node holds nothing: a refill for a
        // long answer can be refused while a shorter one still fits the unexpired escrow (already
        // counted in etcd). What must hold is that once the escrow has expired nothing but 503s
        // come back, which the check above and this one say together.
        if (duringOutage
            && s.sentNanos() - Math.max(first503.get(id).sentNanos(), expiryBound) > 0) {
          assertThat(status)
              .as("node %s after its first 503 and the grant expiry, before etcd came back", id)
              .isEqualTo(503);
        }
        if (s.sentNanos() - oneDown >= 0 && s.sentNanos() < oneDownChecked) {
          assertThat(status).as("node %s with one member down", id).isEqualTo(200);
        }
      }
    }
    assertThat(paid).isPositive();
    long counter = site.dayCounter(TENANT_NODE);
    assertThat(counter)
        .as("the tenant's etcd counter against %d bytes received", paid)
        .isGreaterThanOrEqualTo(paid)
        .isLessThanOrEqualTo(CAP);
  }
}
