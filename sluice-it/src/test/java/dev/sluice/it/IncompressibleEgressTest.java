package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, point 3, end to end: a real {@code sluice run} with two {@code tcp} listeners (egress
 * toward the upstream), one per tenant, and {@code alerts.incompressible: { window: 30s, ratio:
 * 0.85, min_bytes: 2MB }}. Tenant {@code leak} sends 4 MB of random bytes, tenant {@code chat} 4 MB
 * of the shared corpus's answers (as the JSON lines they are stored in); the webhook receives
 * {@code SluiceIncompressibleEgress} for {@code leak} and, after more evaluations than it took,
 * nothing for {@code chat}. {@code /metrics} shows both tenants' probe counters, every byte sent.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IncompressibleEgressTest {
  private static final Clock CLOCK = Clock.system();
  private static final int SIZE = 4_000_000;

  @TempDir Path dir;
  private SluiceProcess sluice;
  private ServerSocket upstream;
  private WebhookReceiver hook;

  @AfterEach
  void stop() throws IOException {
    if (sluice != null) {
      sluice.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (hook != null) {
      hook.close();
    }
  }

  @Test
  void randomBytesFireTheAlertAndCorpusTextDoesNot() throws Exception {
    byte[] random = new byte[SIZE];
    new SplittableRandom(17).nextBytes(random);
    byte[] text = corpusText();

    upstream = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    CompletableFuture<List<Long>> received = CompletableFuture.supplyAsync(() -> sink(upstream, 2));
    hook = WebhookReceiver.start();
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, yaml(upstream.getLocalPort(), hook.url()), StandardCharsets.UTF_8);
    sluice = SluiceProcess.start(config, dir);

    long sentAt = CLOCK.nanos();
    send("plain", text);
    send("packed", random);
    assertThat(received.get(60, TimeUnit.SECONDS))
        .containsExactlyInAnyOrder((long) SIZE, (long) SIZE);

    Optional<WebhookReceiver.Received> fired =
        hook.await(
            r -> r.label("alertname").equals("SluiceIncompressibleEgress"), Duration.ofSeconds(20));
    assertThat(fired).as("SluiceIncompressibleEgress within 20 s").isPresent();
    WebhookReceiver.Received a = fired.get();
    assertThat(a.status()).isEqualTo("firing");
    assertThat(a.label("zone")).isEqualTo("inference");
    assertThat(a.label("tenant")).isEqualTo("leak");
    assertThat(a.label("severity")).isEqualTo("warning");
    System.out.printf(
        Locale.ROOT,
        "SluiceIncompressibleEgress %d ms after the first byte was sent: %s%n",
        (a.nanos() - sentAt) / 1_000_000,
        a.alert().path("annotations").path("description").asText());

    // Three more evaluations: the text tenant, well over min_bytes too, never fires.
    HttpClient http = HttpClient.newHttpClient();
    long evaluations = metric(http, "sluice_alert_evaluations_total", "");
    long deadline = CLOCK.nanos() + TimeUnit.SECONDS.toNanos(15);
    Object lock = new Object();
    while (metric(http, "sluice_alert_evaluations_total", "") < evaluations + 3) {
      assertThat(CLOCK.nanos() - deadline).as("evaluations within 15 s").isNegative();
      synchronized (lock) {
        lock.wait(100); // polling interval of a bounded wait on the node's own counter
      }
    }
    assertThat(hook.matching(r -> r.label("tenant").equals("chat"))).isEmpty();
    assertThat(hook.matching(r -> r.label("alertname").equals("SluiceIncompressibleEgress")))
        .hasSize(1);

    List<String> figures = new ArrayList<>();
    for (String tenant : List.of("leak", "chat")) {
      String labels = "{tenant=\"" + tenant + "\",zone=\"inference\"}";
      long raw = metric(http, "sluice_egress_probe_bytes_total", labels);
      long compressed = metric(http, "sluice_egress_probe_compressed_bytes_total", labels);
      assertThat(raw).as("probe bytes of " + tenant).isEqualTo(SIZE);
      figures.add(String.format(Locale.ROOT, "%s %.3f", tenant, (double) compressed / raw));
      if (tenant.equals("leak")) {
        assertThat(compressed).isGreaterThan(SIZE * 98L / 100);
      } else {
        assertThat(compressed).isLessThan(SIZE * 75L / 100);
      }
    }
    System.out.println("probe compressed/raw through sluice run: " + String.join(", ", figures));
  }

  /**
   * {@code SIZE} bytes of the corpus's answer files as stored (JSON lines): all of Arena-Hard's
   * (3.2 MB) and the start of AlpacaEval's.
   */
  private static byte[] corpusText() throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (String f : List.of(CorpusAnswers.ARENA_HARD, CorpusAnswers.ALPACA_EVAL)) {
      Path file = CorpusAnswers.directory().resolve(f);
      try (InputStream in =
          new java.util.zip.GZIPInputStream(Files.newInputStream(file), 1 << 16)) {
        out.write(in.readNBytes(SIZE - out.size()));
      }
    }
    assertThat(out.size()).isEqualTo(SIZE);
    return out.toByteArray();
  }

  private void send(String listener, byte[] data) throws IOException {
    try (Socket client = new Socket()) {
      client.connect(sluice.listener(listener), 5_000);
      OutputStream out = client.getOutputStream();
      for (int off = 0; off < data.length; off += 64 << 10) {
        out.write(data, off, Math.min(64 << 10, data.length - off));
      }
      out.flush();
      client.shutdownOutput();
      client.getInputStream().readAllBytes(); // until the gateway closes: all of it has left
    }
  }

  /** Accepts {@code n} connections one after the other, counting what arrives on each. */
  private static List<Long> sink(ServerSocket server, int n) {
    List<Long> counts = new ArrayList<>();
    byte[] buf = new byte[64 << 10];
    for (int i = 0; i < n; i++) {
      long c = 0;
      try (Socket s = server.accept()) {
        InputStream in = s.getInputStream();
        for (int r; (r = in.read(buf)) >= 0; ) {
          c += r;
        }
      } catch (IOException ended) {
        // a reset ends the count too
      }
      counts.add(c);
    }
    return counts;
  }

  private long metric(HttpClient http, String name, String labels) throws Exception {
    String metrics =
        http.send(
                HttpRequest.newBuilder(sluice.adminUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    double v = AdminApi.metric(metrics, name + labels);
    assertThat(v).as(name + labels + " in /metrics:\n" + metrics).isNotNaN();
    return (long) v;
  }

  private String yaml(int upstreamPort, String hookUrl) {
    return """
        site: it
        model: { name: it-model, weight_bytes: 10GB }
        mode: enforce
        time_zone: "%s"
        data_dir: "%s"
        budgets:
          limits: [ { window: day, cap: 1GB } ]
          zones:
            inference:
              limits: [ { window: day, cap: 500MB } ]
              tenants:
                chat: { limits: [ { window: day, cap: 100MB } ] }
                leak: { limits: [ { window: day, cap: 100MB } ] }
        listeners:
          - { name: plain, mode: tcp, bind: 127.0.0.1:0, upstream: "127.0.0.1:%d",
              zone: inference, egress: upstream, tenants_by_source: { "127.0.0.0/8": chat } }
          - { name: packed, mode: tcp, bind: 127.0.0.1:0, upstream: "127.0.0.1:%d",
              zone: inference, egress: upstream, tenants_by_source: { "127.0.0.0/8": leak } }
        admin: { bind: 127.0.0.1:0 }
        alerts:
          webhooks: [ { url: "%s" } ]
          interval: 1s
          incompressible: { window: 30s, ratio: 0.85, min_bytes: 2MB }
        """
        .formatted(
            TestConfig.ZONE.getId(), dir.resolve("data"), upstreamPort, upstreamPort, hookUrl);
  }
}
