package dev.sluice.it;

import dev.sluice.demo.DemoOptions;
import dev.sluice.demo.Pacer;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not a test (run with {@code -Dsluice.measure=true}): {@code sluice run} and {@code
 * sluice edge} as real processes, a {@link CountingRelay} on the link, and a replay upstream that
 * paces every stream at 50 events a second with held-out answers (the test split of the corpus).
 * {@code N} streams at once (default 24) through the edge, each paired with the same answer
 * requested at the same moment from a direct listener; it prints the link bytes charged per text
 * byte (and the direct connection's bytes per text byte), and the latency the edge adds per event
 * against direct (p50, p99), with the time to first byte. Settings: {@code
 * -Dsluice.measure.streams=24}, {@code -Dsluice.measure.window=30ms}, {@code
 * -Dsluice.measure.tls=false}.
 */
@EnabledIfSystemProperty(named = "sluice.measure", matches = "true")
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EdgeLiveMeasure {

  private static final Clock CLOCK = Clock.system();

  @TempDir Path dir;

  /** Arrival times (ms since the request was sent) of each whole SSE event, and the bytes. */
  private record Timed(double[] events, byte[] raw) {}

  @Test
  void measure() throws Exception {
    int streams = Integer.getInteger("sluice.measure.streams", 24);
    String window = System.getProperty("sluice.measure.window", "30ms");
    List<Answer> answers = CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST);
    answers = answers.subList(0, Math.min(streams, answers.size()));
    try (ReplayUpstream upstream =
        ReplayUpstream.start(
            answers, DemoOptions.defaults().withPacer(Pacer.fixedDelay(Duration.ofMillis(20))))) {
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
            - { name: edge, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant, peer: edge }
            - { name: direct, mode: reverse, bind: "127.0.0.1:0", upstream: "%s", zone: inference, tenant_header: X-Tenant }
          admin: { bind: "127.0.0.1:0" }
          codec: { flush_window: %s }
          """
              .formatted(dir.resolve("data"), upstream.rootUrl(), upstream.rootUrl(), window);
      Path config = dir.resolve("sluice.yaml");
      Files.writeString(config, yaml, StandardCharsets.UTF_8);
      try (SluiceProcess sluice = SluiceProcess.start(config, dir);
          CountingRelay link = CountingRelay.start(sluice.listener("edge"));
          EdgeProcess edge = EdgeProcess.start(link.address(), dir, "edge")) {
        AdminApi admin = new AdminApi(sluice);
        // Warm up both paths (JIT, escrow, upstream connections) before anything is measured.
        run(sluice.listener("direct"), answers.size(), 4);
        run(edge.address(), answers.size(), 4);
        // Both at once, in pairs: the same answer, started together, one direct, one through the
        // edge, so that the upstream's pacing and the machine's load are the same for both.
        long linkBefore = link.bytesFromTarget();
        double chargedBefore = charged(admin);
        List<List<Timed>> both =
            runPairs(sluice.listener("direct"), edge.address(), answers.size(), streams);
        List<Timed> direct = both.get(0);
        List<Timed> viaEdge = both.get(1);
        long text = 0;
        long directBytes = 0;
        for (int i = 0; i < streams; i++) {
          String expected = answers.get(i % answers.size()).text();
          String got =
              RawHttp.answerText(new RawHttp.Response(viaEdge.get(i).raw(), true, null, 0));
          if (!got.equals(expected)) {
            throw new AssertionError("stream " + i + " differs from the upstream's answer");
          }
          text += expected.getBytes(StandardCharsets.UTF_8).length;
          directBytes += direct.get(i).raw().length;
        }
        long linkBytes = link.bytesFromTarget() - linkBefore;
        double charged = awaitCharged(admin, chargedBefore + linkBytes) - chargedBefore;
        List<Double> added = new ArrayList<>();
        List<Double> ttfb = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
          double[] e = viaEdge.get(i).events();
          double[] d = direct.get(i).events();
          int n = Math.min(e.length, d.length);
          for (int k = 0; k < n; k++) {
            added.add(e[k] - d[k]);
          }
          if (n > 0) {
            ttfb.add(e[0] - d[0]);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "%n%d streams at 50 events/s, flush window %s, %d text bytes%n"
                + "  link bytes written %d, charged %.0f: %.3f charged bytes per text byte%n"
                + "  direct connection: %.3f bytes per text byte%n"
                + "  added latency per event vs direct: p50 %.1f ms, p99 %.1f ms%n"
                + "  added time to first event: p50 %.1f ms, p99 %.1f ms%n",
            streams,
            window,
            text,
            linkBytes,
            charged,
            charged / text,
            (double) directBytes / text,
            pct(added, 50),
            pct(added, 99),
            pct(ttfb, 50),
            pct(ttfb, 99));
      }
    }
  }

  private static double charged(AdminApi admin) throws Exception {
    return AdminApi.metric(admin.metrics(), "sluice_egress_bytes_total{listener=\"edge\"}");
  }

  private static double awaitCharged(AdminApi admin, double atLeast) throws Exception {
    long deadline = CLOCK.nanos() + Duration.ofSeconds(10).toNanos();
    double c = charged(admin);
    while (c < atLeast && CLOCK.nanos() - deadline < 0) {
      Thread.onSpinWait();
      c = charged(admin);
    }
    return c;
  }

  private static double pct(List<Double> xs, int p) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a[Math.min(a.length - 1, (int) Math.ceil(p / 100.0 * a.length) - 1)];
  }

  /** {@code streams} pairs of concurrent requests, one to {@code a}, one to {@code b}. */
  private static List<List<Timed>> runPairs(
      InetSocketAddress a, InetSocketAddress b, int answers, int streams) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2 * streams);
    try {
      List<Future<Timed>> fa = new ArrayList<>();
      List<Future<Timed>> fb = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        int index = i % answers;
        fa.add(pool.submit(() -> timed(a, RawHttp.chat("acme", index, true))));
        fb.add(pool.submit(() -> timed(b, RawHttp.chat("acme", index, true))));
      }
      List<Timed> ra = new ArrayList<>();
      List<Timed> rb = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        ra.add(fa.get(i).get());
        rb.add(fb.get(i).get());
      }
      return List.of(ra, rb);
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code streams} concurrent streaming requests to {@code to}; each one's event times. */
  private static List<Timed> run(InetSocketAddress to, int answers, int streams) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(streams);
    try {
      List<Future<Timed>> fs = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        int index = i % answers;
        fs.add(pool.submit(() -> timed(to, RawHttp.chat("acme", index, true))));
      }
      List<Timed> out = new ArrayList<>();
      for (Future<Timed> f : fs) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  /** One exchange, noting when each "\n\n" (the end of an SSE event) arrives. */
  private static Timed timed(InetSocketAddress to, byte[] request) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    List<Double> events = new ArrayList<>();
    try (Socket s = new Socket()) {
      s.connect(to, 5000);
      s.setSoTimeout(120_000);
      long start = CLOCK.nanos();
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[16384];
      int prev = -1;
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        double at = (CLOCK.nanos() - start) / 1e6;
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n' && prev == '\n') {
            events.add(at);
          }
          prev = buf[i];
        }
        got.write(buf, 0, n);
      }
    }
    return new Timed(events.stream().mapToDouble(Double::doubleValue).toArray(), got.toByteArray());
  }
}
