package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.bench.live.AdminMetrics;
import dev.sluice.bench.live.Exchange;
import dev.sluice.bench.live.KeepAliveClient;
import dev.sluice.bench.live.LiveCase;
import dev.sluice.bench.live.LiveRequest;
import dev.sluice.bench.live.PairedLoad;
import dev.sluice.bench.live.Sends;
import dev.sluice.bench.upstream.FamilyUpstream;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.HeldOut;
import dev.sluice.codec.sample.Tokenizer;
import dev.sluice.demo.Pacer;
import dev.sluice.gateway.forward.TestCertificates;
import dev.sluice.time.Clock;
import dev.sluice.time.ManualClock;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every stream family through a real {@code sluice edge}, with a raw keep-alive HTTP client: {@code
 * sluice run} with a {@code peer: edge} listener ({@code edge}, and {@code edge-tls} with the link
 * over TLS) and a direct listener ({@code direct}) in front of a {@link FamilyUpstream} (every
 * API's exact stream, held-out answers, real o200k tokens; not paced, and on a fixed clock so that
 * the same request gets the same bytes at any moment), and a {@link CountingRelay} on each link.
 * The body each client receives through the edge is the upstream's, byte for byte (the upstream's
 * own answer to the same request, and the SHA-256 it logged), and the head is what the direct
 * listener delivers; several families at once share the one link; and every byte the link carried
 * was charged on its listener, nothing more.
 */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EdgeFamiliesTest {
  private static final String TENANT = "acme";
  private static final ManualClock UPSTREAM_CLOCK = ManualClock.at("2026-11-23T04:00:00Z");

  @TempDir static Path dir;
  private static FamilyUpstream upstream;
  private static SluiceProcess sluice;
  private static AdminApi admin;
  private static CountingRelay link;
  private static EdgeProcess edge;
  private static CountingRelay tlsLink;
  private static EdgeProcess tlsEdge;

  @BeforeAll
  static void start() throws Exception {
    upstream =
        FamilyUpstream.start(
            "127.0.0.1",
            0,
            new FamilyUpstream.Options(
                answers(), UPSTREAM_CLOCK, Pacer::immediate, Tokenizer.o200k()));
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    TestCertificates.selfSigned(dir, "localhost").writePem(cert, key);
    String yaml =
        """
        site: it
        model: { name: it-model, weight_bytes: 10GB }
        time_zone: "%s"
        data_dir: "%s"
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          control_allowance: 1MiB
          zones:
            inference:
              tenants:
                acme: {}
        listeners:
          - { name: edge, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant, peer: edge }
          - { name: edge-tls, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant, peer: edge, tls: { cert: "%s", key: "%s" } }
          - { name: direct, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant }
        admin: { bind: "127.0.0.1:0" }
        """
            .formatted(
                TestConfig.ZONE.getId(),
                dir.resolve("data"),
                upstream.baseUrl(),
                upstream.baseUrl(),
                cert,
                key,
                upstream.baseUrl());
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, yaml, StandardCharsets.UTF_8);
    sluice = SluiceProcess.start(config, dir);
    admin = new AdminApi(sluice);
    link = CountingRelay.start(sluice.listener("edge"));
    edge = EdgeProcess.start(link.address(), dir, "edge");
    tlsLink = CountingRelay.start(sluice.listener("edge-tls"));
    tlsEdge =
        EdgeProcess.start(
            tlsLink.address(),
            dir,
            "tls-edge",
            "--tls",
            "--tls-ca",
            cert.toString(),
            "--tls-server-name",
            "localhost");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {edge, tlsEdge, link, tlsLink, sluice, upstream}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing everything regardless.
        }
      }
    }
  }

  /** Three held-out answers of each corpus file (the split every bench uses). */
  private static List<String> answers() throws Exception {
    Path corpus = HeldOut.corpusDir(RepoRoot.get());
    List<String> out = new ArrayList<>();
    List<HeldOut.Answer> arena = HeldOut.read(corpus.resolve(HeldOut.ARENA_HARD));
    HeldOut.heldOut(arena, java.util.Set.of()).stream().limit(3).forEach(a -> out.add(a.text()));
    List<HeldOut.Answer> alpaca = HeldOut.read(corpus.resolve(HeldOut.ALPACA_EVAL));
    HeldOut.heldOut(alpaca, HeldOut.heldOutModels(alpaca, HeldOut.HELD_OUT_MODELS)).stream()
        .limit(3)
        .forEach(a -> out.add(a.text()));
    return out;
  }

  @Test
  void everyFamilyThroughTheEdgeIsTheUpstreamsBodyByteForByteAndTheDirectListenersHead()
      throws Exception {
    try (KeepAliveClient viaEdge = client(edge.address());
        KeepAliveClient direct = client(sluice.listener("direct"));
        KeepAliveClient origin = client(upstream.address())) {
      for (Family f : Family.values()) {
        for (int k = 0; k < 2; k++) { // two answers on each connection: one stream, kept alive
          byte[] request = LiveRequest.of(f, TENANT, f.id() + " " + k);
          Exchange e = viaEdge.exchange(request);
          Exchange d = direct.exchange(request);
          Exchange o = origin.exchange(request);
          String what = f.id() + " answer " + k;
          assertThat(o.status()).as(what).isEqualTo(200);
          assertThat(o.header("content-type")).as(what).isEqualTo(f.contentType());
          assertThat(e.complete()).as("%s complete through the edge: %s", what, e).isTrue();
          assertThat(text(e.body())).as(what).isEqualTo(text(o.body()));
          assertThat(e.body()).as(what).isEqualTo(o.body());
          assertThat(d.body()).as(what).isEqualTo(o.body());
          assertThat(sha256(e.body())).as(what).isEqualTo(sends(e).bodySha256());
          assertThat(withoutStreamId(e.head())).as(what).isEqualTo(withoutStreamId(d.head()));
        }
      }
    }
    LinkCharges.assertMatch(admin, link, "edge");
  }

  @Test
  void everyFamilyAtOnceSharesTheOneLinkAndEachGetsItsBytesExactly() throws Exception {
    allFamiliesAtOnce(edge, link, "edge");
  }

  @Test
  void overTlsEveryFamilyAtOnceGetsItsBytesExactlyAndTheRecordsAreCharged() throws Exception {
    allFamiliesAtOnce(tlsEdge, tlsLink, "edge-tls");
  }

  /**
   * The live bench's paired clients ({@code bench/codec-live.sh}) against the same processes: each
   * answer through the edge paired with the same answer from the direct listener, every one exact,
   * the direct listener charged exactly what its clients received.
   */
  @Test
  void theLiveBenchPairsEdgeAndDirectAnswersAndReadsTheChargesOfBoth() throws Exception {
    PairedLoad.Plan plan =
        new PairedLoad.Plan(
            Family.ANTHROPIC,
            3,
            Duration.ofSeconds(60),
            Duration.ofMillis(30),
            2,
            TENANT,
            TENANT,
            7);
    LiveCase c =
        LiveCase.run(
            new PairedLoad.Targets(edge.address(), sluice.listener("direct"), upstream.baseUrl()),
            plan,
            new AdminMetrics(sluice.admin()),
            "edge",
            "direct",
            Clock.system());
    assertThat(c.failures()).isEmpty();
    assertThat(c.stats().responses()).isEqualTo(6);
    assertThat(c.stats().exact()).isEqualTo(6);
    assertThat(c.stats().textBytes()).isPositive();
    assertThat(c.directCharged()).isEqualTo(c.stats().directWireBytes());
    assertThat(c.edgeCharged()).isPositive().isLessThan(c.directCharged());
    assertThat(c.stats().addedPerEvent()).hasSameSizeAs(c.stats().edgePerEvent()).isNotEmpty();
    assertThat(c.stats().addedFirstByte()).hasSize(6);
    LinkCharges.assertMatch(admin, link, "edge");
  }

  /** Every family on its own keep-alive connection through {@code via}, three answers each. */
  private static void allFamiliesAtOnce(EdgeProcess via, CountingRelay relay, String listener)
      throws Exception {
    long links = relay.connections();
    Family[] families = Family.values();
    ExecutorService pool = Executors.newFixedThreadPool(families.length);
    try {
      List<Future<List<Exchange>>> results = new ArrayList<>();
      for (Family f : families) {
        results.add(
            pool.submit(
                () -> {
                  List<Exchange> got = new ArrayList<>();
                  try (KeepAliveClient c = client(via.address())) {
                    for (int k = 0; k < 3; k++) {
                      got.add(c.exchange(LiveRequest.of(f, TENANT, listener + f.id() + k)));
                    }
                  }
                  return got;
                }));
      }
      for (int i = 0; i < families.length; i++) {
        for (Exchange x : results.get(i).get()) {
          String what = families[i].id() + " through " + listener;
          assertThat(x.complete()).as("%s: %s", what, x).isTrue();
          assertThat(x.status()).as(what).isEqualTo(200);
          Sends s = sends(x);
          assertThat(s.family()).isEqualTo(families[i].id());
          assertThat(sha256(x.body())).as(what).isEqualTo(s.bodySha256());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(relay.connections()).as("no new link").isEqualTo(links);
    LinkCharges.assertMatch(admin, relay, listener);
  }

  private static KeepAliveClient client(InetSocketAddress to) throws Exception {
    return new KeepAliveClient(to, Clock.system(), Duration.ofSeconds(30));
  }

  private static Sends sends(Exchange x) throws Exception {
    return Sends.fetch(upstream.baseUrl(), Long.parseLong(x.header("x-sluice-stream")));
  }

  private static String withoutStreamId(String head) {
    return head.replaceAll("(?im)^x-sluice-stream: [0-9]+(\r\n|$)", "");
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
