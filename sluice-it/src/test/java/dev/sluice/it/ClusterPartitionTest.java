package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cluster.EtcdCluster;
import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.Pacer;
import dev.sluice.it.Probes.Sample;
import dev.sluice.time.Clock;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network partition between one gateway node and etcd: node {@code c} reaches etcd only through a
 * {@link CuttableProxy} ({@code store.endpoints} is the proxy), nodes {@code a} and {@code b}
 * directly. When the proxy is cut, {@code c} serves from the escrow it holds until that expires
 * ({@code grant_ttl: 2s}): a stream flowing through it is cut, its last byte arriving within the
 * grant TTL of the cut, and then it answers {@code 503} naming its store, while {@code a} and
 * {@code b} keep answering {@code 200}. When the proxy heals, {@code c} (the same process) serves
 * again by itself. Every byte the clients received is counted in the tenant's etcd counter, within
 * the cap.
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
  private ReplayUpstream slow;
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
      if (slow != null) {
        slow.close();
      }
    }
  }

  @Test
  void theCutOffNodeFailsClosedAtExpiryWhileTheOthersServe() throws Exception {
    upstream = ReplayUpstream.start(Racers.answers(), DemoOptions.defaults());
    // One long answer, an event every 10 ms: a stream that outlasts the grant TTL several times.
    slow =
        ReplayUpstream.start(
            CorpusAnswers.load(CorpusAnswers.ALPACA_EVAL, CorpusAnswers.Split.TEST).stream()
                .filter(a -> a.text().length() > 3000)
                .limit(1)
                .toList(),
            DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(10))));
    site = GatewaySite.start(dir, 1, "2s", "300ms");
    proxy = CuttableProxy.start(site.etcd().member(0).clientUrl());
    for (String id : List.of("a", "b")) {
      site.add(id, c -> c.tenant("acme", "day", "50MB").reverse("api", upstream.rootUrl()));
    }
    site.add(
        "c",
        List.of(proxy.url()),
        c ->
            c.tenant("acme", "day", "50MB")
                .reverse("api", upstream.rootUrl())
                .reverse("stream", slow.rootUrl()));
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

    // A stream through c, flowing when the partition starts.
    AtomicLong streamed = new AtomicLong();
    ExecutorService streamer = Executors.newSingleThreadExecutor();
    Future<RawHttp.Response> stream;
    try {
      InetSocketAddress at = site.process("c").listener("stream");
      stream =
          streamer.submit(
              () ->
                  RawHttp.exchange(
                      at, RawHttp.chat("acme", 0, true), Racers.READ_TIMEOUT, streamed::addAndGet));
      assertThat(EtcdCluster.poll(Duration.ofSeconds(20), () -> streamed.get() > 2_000))
          .as("the stream through c flows")
          .isTrue();
    } finally {
      streamer.shutdown();
    }

    proxy.cut();
    long cut = CLOCK.nanos();
    // c spends the escrow it holds, then cuts the stream: nothing arrives after the expiry.
    RawHttp.Response cutStream = stream.get(30, TimeUnit.SECONDS);
    assertThat(cutStream.status()).isEqualTo(200);
    assertThat(cutStream.complete()).as("the stream through c is cut: %s", cutStream).isFalse();
    assertThat(cutStream.eof()).as("c closed the stream: %s", cutStream).isTrue();
    assertThat(cutStream.lastByteNanos() - cut)
        .as("last byte of c's stream after the cut, in ns (grant_ttl %s)", GRANT_TTL)
        .isLessThan(GRANT_TTL.plus(SLACK).toNanos());
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

    long paid = cutStream.raw().length;
    long expiryBound = cut + GRANT_TTL.plus(SLACK).toNanos();
    for (Sample s : probes.all()) {
      int status = s.status();
      if (status == 200) {
        paid += s.response().raw().length;
        assertThat(Racers.isWholeAnswer(s.response(), upstream.answers().get(s.index()).text()))
            .as("a 200 of node %s is a whole corpus answer", s.node())
            .isTrue();
      }
      // Sent after the cut and answered before the heal: no grant of c could commit meanwhile.
      boolean whileCut = s.sentNanos() - cut >= 0 && s.doneNanos() - healing < 0;
      if (s.node().equals("c")) {
        assertThat(status).as("node c answered %s", s.response()).isIn(200, 503);
        if (whileCut && status == 200) {
          assertThat(s.sentNanos() - expiryBound)
              .as(
                  "c answered 200 to a request sent %d ms after the cut (grant_ttl %s)",
                  (s.sentNanos() - cut) / 1_000_000, GRANT_TTL)
              .isNegative();
        }
        // Before its escrow expires, c may refuse a long answer whose refill fails and still
        // serve a shorter one from escrow already counted in etcd; after expiry, only 503s.
        if (whileCut && s.sentNanos() - Math.max(refused.get().sentNanos(), expiryBound) > 0) {
          assertThat(status)
              .as("c after its first 503 and the grant expiry, still cut off")
              .isEqualTo(503);
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
