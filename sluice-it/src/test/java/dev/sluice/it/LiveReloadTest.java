package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.config.ConfigLoader;
import dev.sluice.demo.DemoOptions;
import dev.sluice.it.CorpusAnswers.Answer;
import dev.sluice.it.CorpusAnswers.Split;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, live reload: {@code sluice reload} against a real {@code sluice run} (drain timeout 1s)
 * applies the new configuration in place. An SSE stream held open across a reload that lowers the
 * tenant's cap keeps streaming; a client connecting in a tight loop throughout is never refused;
 * after the reload new requests pay the new cap and are refused once it is spent; the ledger has
 * one START, the CHANGE application and the new {@code config} entry. A node with {@code alerts}
 * keeps alerting across a reload (the regression test of the fix in 98e9205).
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LiveReloadTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Pattern APPLIED = Pattern.compile("in place in (\\d+) ms");

  @TempDir Path dir;
  private SluiceProcess sluice;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (sluice != null) {
      sluice.close();
    }
  }

  private SluiceCommand.Result reload(Path config) throws Exception {
    InetSocketAddress a = sluice.admin();
    return SluiceCommand.run(
        dir,
        "reload",
        "--config",
        config.toString(),
        "--admin",
        a.getHostString() + ":" + a.getPort(),
        "--token-file",
        dir.resolve("data/admin.token").toString());
  }

  private static String sha(Path file) throws Exception {
    return ConfigLoader.sha256Hex(Files.readAllBytes(file));
  }

  /** Connects and closes (with a reset, leaving no TIME_WAIT) as fast as it can until stopped. */
  private static final class Connector implements AutoCloseable {
    final AtomicLong connected = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    volatile String firstFailure;
    private final Thread thread;

    Connector(InetSocketAddress to) {
      thread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try (Socket s = new Socket()) {
                    s.setSoLinger(true, 0);
                    s.connect(to, 2_000);
                    connected.incrementAndGet();
                  } catch (IOException e) {
                    refused.incrementAndGet();
                    if (firstFailure == null) {
                      firstFailure = e.toString();
                    }
                  }
                }
              },
              "tight-connector");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      stop.set(true);
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void aReloadLoweringACapKeepsStreamsAndRefusesNoConnection() throws Exception {
    List<Answer> longest =
        CorpusAnswers.load(CorpusAnswers.ALPACA_EVAL, Split.TEST).stream()
            .filter(a -> a.text().length() > 5000)
            .limit(1)
            .toList();
    HoldingPacer held = new HoldingPacer();
    ReplayUpstream heldUpstream =
        ReplayUpstream.start(longest, DemoOptions.defaults().withPacer(held));
    closing.add(heldUpstream);
    ReplayUpstream api =
        ReplayUpstream.start(
            CorpusAnswers.load(CorpusAnswers.ARENA_HARD, Split.TEST).subList(0, 1),
            DemoOptions.defaults());
    closing.add(api);
    Path running =
        TestConfig.in(dir.resolve("data"))
            .tenant("acme", "day", "50MB")
            .reverse("held", heldUpstream.rootUrl())
            .reverse("api", api.rootUrl())
            .write(dir.resolve("sluice.yaml"));
    long newCap = 150_000;
    Path tighter =
        TestConfig.in(dir.resolve("data"))
            .tenant("acme", "day", Long.toString(newCap))
            .reverse("held", heldUpstream.rootUrl())
            .reverse("api", api.rootUrl())
            .write(dir.resolve("tighter.yaml"));
    sluice = SluiceProcess.start(running, dir, List.of("--drain-timeout", "1s"));

    LiveStream stream = LiveStream.open(sluice.listener("held"), RawHttp.chat("acme", 0, true));
    closing.add(stream);
    assertThat(held.awaitAsked(1, WAIT)).as("the stream waits for its 2nd event").isTrue();
    for (int r = 0; r < 3; r++) {
      assertThat(held.releaseAll()).isEqualTo(1);
      assertThat(held.awaitAsked(1, WAIT)).isTrue();
    }
    assertThat(stream.awaitEvents(4, WAIT)).isTrue();
    long spentBefore =
        AdminApi.limit(new AdminApi(sluice).budgets(), "tenant:inference/acme", "day")
            .path("spent")
            .asLong();
    assertThat(spentBefore).as("below the new cap").isLessThan(newCap);

    Connector connector = new Connector(sluice.listener("api"));
    closing.add(connector);
    long began = CLOCK.nanos();
    SluiceCommand.Result r = reload(tighter);
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(new AdminApi(sluice).config().path("sha256").asText()).isEqualTo(sha(tighter));
    long reloadNanos = CLOCK.nanos() - began;
    long during = connector.connected.get();
    // A few more connections after the swap, through the same socket.
    long target = during + 200;
    while (connector.connected.get() < target && connector.refused.get() == 0) {
      Thread.onSpinWait();
    }
    connector.close();
    assertThat(connector.refused.get())
        .as("connections refused (first: %s)", connector.firstFailure)
        .isZero();
    assertThat(during).as("connections made while the reload ran").isPositive();

    // The stream goes on after the reload, beyond the drain timeout's cut of a replaced node.
    assertThat(stream.ended()).as("the stream was not cut").isFalse();
    for (int i = 0; i < 3; i++) {
      assertThat(held.releaseAll()).isEqualTo(1);
      assertThat(held.awaitAsked(1, WAIT)).as("the stream asks for event %d", 5 + i).isTrue();
    }
    assertThat(stream.awaitEvents(7, WAIT)).as("events after the reload arrived").isTrue();
    assertThat(stream.ended()).isFalse();

    // New requests pay the new cap: refused (429) once it is spent, never above it.
    int served = 0;
    int status = 200;
    while (status == 200 && served < 500) {
      RawHttp.Response resp =
          RawHttp.exchange(sluice.listener("api"), RawHttp.chat("acme", 0, false), WAIT);
      status = resp.status();
      if (status == 200) {
        served++;
      }
    }
    assertThat(status).as("refused by the lowered cap after %d answers", served).isEqualTo(429);
    JsonNode acme = AdminApi.limit(new AdminApi(sluice).budgets(), "tenant:inference/acme", "day");
    assertThat(acme.path("cap").asLong()).isEqualTo(newCap);
    assertThat(acme.path("spent").asLong()).isLessThanOrEqualTo(newCap);

    Matcher m = APPLIED.matcher(sluice.stderr());
    assertThat(m.find()).as("the node logs how long the apply took").isTrue();
    System.out.printf(
        "live reload: %d connections during the reload (%d ms, CLI to /api/config), 0 refused;"
            + " applied in place in %s ms; %d answers served after it before the 429%n",
        during, reloadNanos / 1_000_000, m.group(1), served);

    sluice.terminate();
    SluiceCommand.Result tail =
        SluiceCommand.run(
            dir, "ledger", "tail", "-n", "100000", "--json", dir.resolve("data").toString());
    assertThat(tail.exitCode()).as(tail.describe()).isZero();
    List<JsonNode> entries = new ArrayList<>();
    for (String line : tail.stdout().split("\n")) {
      entries.add(JSON.readTree(line));
    }
    assertThat(entries.stream().filter(e -> type(e).equals("start"))).hasSize(1);
    assertThat(entries.stream().filter(e -> type(e).equals("stop"))).hasSize(1);
    String next = sha(tighter);
    assertThat(entries)
        .anyMatch(e -> type(e).equals("config") && e.toString().contains(next))
        .anyMatch(
            e ->
                type(e).equals("change")
                    && e.toString().contains("\"application\"")
                    && e.toString().contains(next));
  }

  private static String type(JsonNode e) {
    return e.path("type").asText();
  }

  @Test
  void aReloadKeepsAlertsAndAThresholdCrossedAfterItReachesTheWebhook() throws Exception {
    List<JsonNode> hooks = new ArrayList<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          synchronized (hooks) {
            hooks.add(JSON.readTree(body));
            hooks.notifyAll();
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    HttpServer upstream =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] payload = new byte[50_000];
    java.util.Arrays.fill(payload, (byte) 'x');
    upstream.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          ex.sendResponseHeaders(200, payload.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(payload);
          }
        });
    receiver.start();
    upstream.start();
    closing.add(() -> receiver.stop(0));
    closing.add(() -> upstream.stop(0));
    String alerts =
        "alerts:\n  webhooks: [ { url: \"http://127.0.0.1:"
            + receiver.getAddress().getPort()
            + "/hook\" } ]\n  interval: 1s\n";
    String url = "http://127.0.0.1:" + upstream.getAddress().getPort();
    Path running =
        Files.writeString(
            dir.resolve("sluice.yaml"),
            TestConfig.in(dir.resolve("data"))
                    .tenant("acme", "day", "5MB")
                    .reverse("api", url)
                    .yaml()
                + alerts);
    Path tighter =
        Files.writeString(
            dir.resolve("tighter.yaml"),
            TestConfig.in(dir.resolve("data"))
                    .tenant("acme", "day", "400KB")
                    .reverse("api", url)
                    .yaml()
                + alerts);
    sluice = SluiceProcess.start(running, dir);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    assertThat(alertsStatus(http)).isEqualTo(200);

    SluiceCommand.Result r = reload(tighter);
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(new AdminApi(sluice).config().path("sha256").asText()).isEqualTo(sha(tighter));
    assertThat(alertsStatus(http)).as("GET /api/alerts after the reload").isEqualTo(200);

    URI uri = URI.create(sluice.listenerUrl("api") + "/weights.bin");
    int status = 200;
    for (int i = 0; i < 50 && status == 200; i++) {
      try {
        status =
            http.send(
                    HttpRequest.newBuilder(uri)
                        .header("X-Tenant", "acme")
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
      } catch (IOException cut) {
        status = -1;
      }
    }
    assertThat(status).as("the lowered cap refuses").isNotEqualTo(200);
    long deadline = CLOCK.nanos() + TimeUnit.SECONDS.toNanos(15);
    synchronized (hooks) {
      while (!fired(hooks, "100%") && CLOCK.nanos() - deadline < 0) {
        TimeUnit.NANOSECONDS.timedWait(hooks, Math.max(1, deadline - CLOCK.nanos()));
      }
      assertThat(fired(hooks, "100%"))
          .as("the 100%% threshold of the reloaded cap reached the webhook: %s", hooks)
          .isTrue();
    }
  }

  private int alertsStatus(HttpClient http) throws Exception {
    return http.send(
            // Bounded: an admin API that accepts but never answers must fail here, not at the
            // test's timeout.
            HttpRequest.newBuilder(sluice.adminUri("/api/alerts"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static boolean fired(List<JsonNode> hooks, String threshold) {
    for (JsonNode n : hooks) {
      for (JsonNode a : n.path("alerts")) {
        if (a.at("/labels/budget_node").asText().equals("tenant:inference/acme")
            && a.at("/labels/threshold").asText().equals(threshold)
            && a.path("status").asText().equals("firing")) {
          return true;
        }
      }
    }
    return false;
  }
}
