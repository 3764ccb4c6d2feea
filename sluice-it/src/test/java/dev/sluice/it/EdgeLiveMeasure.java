package dev.sluice.it;

import dev.sluice.bench.live.AdminMetrics;
import dev.sluice.bench.live.LiveCase;
import dev.sluice.bench.live.LiveReport;
import dev.sluice.bench.live.PairedLoad;
import dev.sluice.bench.upstream.FamilyUpstream;
import dev.sluice.codec.sample.Family;
import dev.sluice.codec.sample.HeldOut;
import dev.sluice.gateway.forward.TestCertificates;
import dev.sluice.time.Clock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (run with {@code -Dsluice.measure=true}): the live bench of {@code
 * bench/codec-live.sh} ({@link LiveCase}) inside a test, against {@code sluice run} and {@code
 * sluice edge} as real processes with a {@link CountingRelay} on the link, so that the charged
 * bytes can be set beside the bytes the link carried, and a paced {@link FamilyUpstream} (50 events
 * a second per stream, held-out Arena-Hard answers). Streams through the edge, each paired with the
 * same answer from a direct listener at the same moment, on keep-alive connections for a bounded
 * time; prints the live tables. Settings: {@code -Dsluice.measure.family=openai-chat}, {@code
 * -Dsluice.measure.streams=24}, {@code -Dsluice.measure.seconds=30}, {@code
 * -Dsluice.measure.window=30ms}, {@code -Dsluice.measure.tls=false}.
 */
@EnabledIfSystemProperty(named = "sluice.measure", matches = "true")
@Timeout(value = 900, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EdgeLiveMeasure {

  @TempDir Path dir;

  @Test
  void measure() throws Exception {
    Family family = Family.byId(System.getProperty("sluice.measure.family", "openai-chat"));
    int streams = Integer.getInteger("sluice.measure.streams", 24);
    Duration seconds = Duration.ofSeconds(Integer.getInteger("sluice.measure.seconds", 30));
    String window = System.getProperty("sluice.measure.window", "30ms");
    boolean tls = Boolean.getBoolean("sluice.measure.tls");
    Path corpus = HeldOut.corpusDir(RepoRoot.get()).resolve(HeldOut.ARENA_HARD);
    List<String> answers =
        HeldOut.heldOut(HeldOut.read(corpus), Set.of()).stream().map(HeldOut.Answer::text).toList();
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    TestCertificates.selfSigned(dir, "localhost").writePem(cert, key);
    try (FamilyUpstream upstream =
        FamilyUpstream.start(
            "127.0.0.1",
            0,
            FamilyUpstream.Options.paced(
                answers, Clock.system(), FamilyUpstream.DEFAULT_EVENTS_PER_SECOND))) {
      String yaml =
          """
          site: m
          model: { name: m, weight_bytes: 10GB }
          time_zone: UTC
          data_dir: "%s"
          budgets:
            limits: [ { window: day, cap: 10GB } ]
            control_allowance: 10MiB
            zones:
              inference:
                tenants:
                  acme: {}
          listeners:
            - { name: edge, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant, peer: edge%s }
            - { name: direct, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant }
          admin: { bind: "127.0.0.1:0" }
          codec: { flush_window: %s }
          """
              .formatted(
                  dir.resolve("data"),
                  upstream.baseUrl(),
                  tls ? ", tls: { cert: \"" + cert + "\", key: \"" + key + "\" }" : "",
                  upstream.baseUrl(),
                  window);
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(config, yaml, StandardCharsets.UTF_8);
      List<String> edgeOptions =
          tls
              ? List.of("--tls", "--tls-ca", cert.toString(), "--tls-server-name", "localhost")
              : List.of();
      try (SluiceProcess sluice = SluiceProcess.start(config, dir);
          CountingRelay link = CountingRelay.start(sluice.listener("edge"));
          EdgeProcess edge =
              EdgeProcess.start(link.address(), dir, "edge", edgeOptions.toArray(new String[0]))) {
        PairedLoad.Targets targets =
            new PairedLoad.Targets(edge.address(), sluice.listener("direct"), upstream.baseUrl());
        AdminMetrics metrics = new AdminMetrics(sluice.admin());
        Clock clock = Clock.system();
        // Warm-up: JIT, escrow, upstream connections; not measured.
        PairedLoad.run(
            targets,
            new PairedLoad.Plan(
                family, 4, Duration.ofSeconds(1), Duration.ZERO, 1, "acme", "acme", -1),
            clock);
        long linkBefore = link.bytesFromTarget();
        List<LiveCase> cases = new ArrayList<>();
        cases.add(
            LiveCase.run(
                targets,
                new PairedLoad.Plan(
                    family, streams, seconds, Duration.ofSeconds(1), 1000, "acme", "acme", 1),
                metrics,
                "edge",
                "direct",
                clock));
        System.out.println(
            LiveReport.markdown(
                List.of(
                    "link " + (tls ? "over TLS" : "plain TCP") + ", flush window " + window,
                    "link bytes counted by the relay during the case: "
                        + (link.bytesFromTarget() - linkBefore)
                        + ", charged on the edge listener: "
                        + cases.get(0).edgeCharged()),
                cases));
      }
    }
  }
}
