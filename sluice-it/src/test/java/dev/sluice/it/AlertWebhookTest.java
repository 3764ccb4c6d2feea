package dev.sluice.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, alerts end to end: a real {@code sluice run} with an {@code alerts} section, a real
 * upstream and a real webhook receiver (JDK HttpServer, port 0). A client pulls 50 kB responses for
 * tenant acme (day cap 2 MB) until the cap refuses; the receiver gets one Alertmanager v4
 * notification per threshold (50%, 80%, 100%), none twice although egress goes on, and the test
 * prints the latency from the response that crossed each threshold to the notification's arrival.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AlertWebhookTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.system();
  private static final long CAP = 2_000_000;
  private static final int BODY = 50_000;

  @TempDir Path dir;

  /** One notification and when it arrived (the test's monotonic clock). */
  private record Arrival(long nanos, JsonNode body) {}

  @Test
  void thresholdsReachTheWebhookOnceEachWithinASecondOrTwo() throws Exception {
    List<Arrival> arrivals = new ArrayList<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          byte[] body;
          try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
          }
          synchronized (arrivals) {
            arrivals.add(new Arrival(CLOCK.nanos(), JSON.readTree(body)));
            arrivals.notifyAll();
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    HttpServer upstream =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    byte[] payload = new byte[BODY];
    java.util.Arrays.fill(payload, (byte) 'x');
    upstream.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
          ex.sendResponseHeaders(200, payload.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(payload);
          }
        });
    receiver.start();
    upstream.start();
    String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(
        config,
        TestConfig.in(dir.resolve("data"))
                .tenant("acme", "day", Long.toString(CAP))
                .reverse("api", "http://127.0.0.1:" + upstream.getAddress().getPort())
                .yaml()
            + "alerts:\n  webhooks: [ { url: \""
            + hook
            + "\" } ]\n  interval: 1s\n");
    try (SluiceProcess sluice = SluiceProcess.start(config, dir)) {
      AdminApi admin = new AdminApi(sluice);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI uri = URI.create(sluice.listenerUrl("api") + "/weights.bin");
      Map<Integer, Long> crossed = new LinkedHashMap<>();
      int refused = 0;
      for (int i = 0; i < 200 && refused < 5; i++) {
        int status;
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
          status = -1; // the cap cut the stream
        }
        long done = CLOCK.nanos();
        long spent =
            AdminApi.limit(admin.budgets(), "tenant:inference/acme", "day").path("spent").asLong();
        for (int pct : new int[] {50, 80}) {
          if (spent * 100 >= CAP * pct) {
            crossed.putIfAbsent(pct, done);
          }
        }
        if (status != 200) {
          crossed.putIfAbsent(100, done);
          refused++;
        }
      }
      assertThat(crossed).containsOnlyKeys(50, 80, 100);

      Map<String, Arrival> byThreshold = new LinkedHashMap<>();
      long deadline = CLOCK.nanos() + TimeUnit.SECONDS.toNanos(15);
      synchronized (arrivals) {
        while (thresholds(arrivals).size() < 3 && CLOCK.nanos() - deadline < 0) {
          TimeUnit.NANOSECONDS.timedWait(arrivals, Math.max(1, deadline - CLOCK.nanos()));
        }
      }
      // Egress is refused, the evaluation goes on: two more intervals bring nothing new.
      for (int i = 0; i < 3; i++) {
        http.send(
            HttpRequest.newBuilder(uri)
                .header("X-Tenant", "acme")
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.discarding());
      }
      awaitEvaluations(sluice, 2);
      List<Arrival> got;
      synchronized (arrivals) {
        got = List.copyOf(arrivals);
      }
      List<String> seen = new ArrayList<>();
      for (Arrival a : got) {
        JsonNode n = a.body();
        assertThat(n.path("version").asText()).isEqualTo("4");
        assertThat(n.path("receiver").asText()).isEqualTo("sluice");
        for (JsonNode alert : n.path("alerts")) {
          if (alert.at("/labels/alertname").asText().equals("SluiceBudgetThreshold")
              && alert.at("/labels/budget_node").asText().equals("tenant:inference/acme")) {
            assertThat(alert.path("status").asText()).isEqualTo("firing");
            assertThat(alert.path("fingerprint").asText()).matches("[0-9a-f]{16}");
            String t = alert.at("/labels/threshold").asText();
            seen.add(t);
            byThreshold.putIfAbsent(t, a);
          }
        }
      }
      assertThat(seen).containsExactly("50%", "80%", "100%");

      StringBuilder figures = new StringBuilder("alert latency after the threshold was crossed:");
      for (int pct : new int[] {50, 80, 100}) {
        long ms = (byThreshold.get(pct + "%").nanos() - crossed.get(pct)) / 1_000_000;
        figures.append(' ').append(pct).append("% ").append(ms).append(" ms;");
        assertThat(ms).as("latency of %d%%", pct).isLessThan(5_000);
      }
      System.out.println(figures + " (alerts.interval 1s)");
      System.out.println(
          "the 50% notification as received:\n"
              + JSON.writerWithDefaultPrettyPrinter()
                  .writeValueAsString(byThreshold.get("50%").body()));

      JsonNode api =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(sluice.adminUri("/api/alerts")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      assertThat(api.path("alerts").findValuesAsText("threshold")).contains("50%", "80%", "100%");
    } finally {
      receiver.stop(0);
      upstream.stop(0);
    }
  }

  private static List<String> thresholds(List<Arrival> arrivals) {
    List<String> t = new ArrayList<>();
    for (Arrival a : arrivals) {
      for (JsonNode alert : a.body().path("alerts")) {
        if (alert.at("/labels/budget_node").asText().equals("tenant:inference/acme")) {
          t.add(alert.at("/labels/threshold").asText());
        }
      }
    }
    return t;
  }

  /** Waits (bounded) until the node has evaluated its alerts {@code n} more times. */
  private static void awaitEvaluations(SluiceProcess sluice, int n) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long start = evaluations(http, sluice);
    long deadline = CLOCK.nanos() + TimeUnit.SECONDS.toNanos(15);
    Object lock = new Object();
    while (evaluations(http, sluice) < start + n) {
      assertThat(CLOCK.nanos() - deadline).as("evaluations within 15 s").isNegative();
      synchronized (lock) {
        lock.wait(100); // polling interval of a bounded wait on the node's own counter
      }
    }
  }

  private static long evaluations(HttpClient http, SluiceProcess sluice) throws Exception {
    String metrics =
        http.send(
                HttpRequest.newBuilder(sluice.adminUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(?m)^sluice_alert_evaluations_total ([0-9.eE+]+)$")
            .matcher(metrics);
    assertThat(m.find()).as("sluice_alert_evaluations_total in /metrics").isTrue();
    return (long) Double.parseDouble(m.group(1));
  }
}
